"""The load scenarios and the benchmark run around them."""
