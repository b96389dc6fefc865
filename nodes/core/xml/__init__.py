"""XML: parse XML text into data, or write data as XML."""
