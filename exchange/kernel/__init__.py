"""Small shared tools with no domain knowledge: safe text, the CSV writer, the URL codec, the versioned cache, limits and counters."""
