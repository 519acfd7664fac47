"""rtagent: realtime voice agents in the terminal."""
