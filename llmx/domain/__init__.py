"""What a report type supplies to the engine: its ``Domain``, indicator catalogue and cue words."""
