"""For instructors who write assignments: ``grader init`` scaffolds an assignment repository."""
