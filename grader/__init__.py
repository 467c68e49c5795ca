"""dl-grader: honest, hermetic grading of Keras notebooks for deep-learning courses."""

__version__ = "0.1.0"
