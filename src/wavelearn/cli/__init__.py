"""The ``wavelearn`` command line (thin: argument parsing and printing only)."""
