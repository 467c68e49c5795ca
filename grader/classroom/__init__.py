"""A whole class: batches (collect submissions, grade them in parallel, resume), the SQLite
results store, the class outputs (gradebook, dashboard) and the files each LMS imports."""
