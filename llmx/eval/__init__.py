"""Evaluation: scoring against gold labels, the eval harness and run comparison."""
