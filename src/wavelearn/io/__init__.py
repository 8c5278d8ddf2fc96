"""HDF5 files, atomic writes and provenance records."""
