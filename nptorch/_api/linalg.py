"""linalg ops: nptorch functions and Tensor methods."""
METHODS = {}
FUNCTIONS = {}
