"""The course's datasets: the registry (names, files, hashes, readers) and ``grader data fetch``."""
