"""HTML: extract values with CSS selectors, or build an HTML table from items."""
