def inspect_hive(hive_number: int) -> str:
    """Record an inspection of a beehive."""
    return f"Hive {hive_number} inspected."

def order_frames(count: int, size: str = "deep") -> str:
    """Order replacement frames for the apiary."""
    return f"{count} {size} frames ordered."

def swarm_alert(location: str) -> str:
    """Report a bee swarm that needs collecting."""
    return f"Swarm at {location} reported."
