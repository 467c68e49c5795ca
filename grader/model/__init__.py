"""Typed values that cross the stages: the exercise spec and rubric, the outcomes of execution
and checks, and the grader's errors. Nothing here runs a notebook or reads a kernel's files."""
