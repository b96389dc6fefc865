"""Compare Datasets: match items of two inputs by key and sort them by what differs."""
