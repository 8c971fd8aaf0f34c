"""Running the exchange as a service: health and readiness checks, structured logs."""
