"""The pipeline of one report: segment, candidates, label, verify, assemble, write."""
