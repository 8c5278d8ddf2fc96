"""The campaign: config validation, the grid of points and jobs, gathering shards into datasets."""
