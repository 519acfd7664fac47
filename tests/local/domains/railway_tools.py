from typing import Literal


def next_departure(destination: str, travel_day: str = "", leave_hour: str = "") -> str:
    """Find the next train departure to a station.

    Args:
        destination: The station the passenger travels to.
        travel_day: The day of travel.
        leave_hour: The earliest departure time.
    """
    if destination.lower() == "atlantis":
        return f"No trains run to {destination}; it is not on our network."
    return f"The next train to {destination} leaves at 10:15 from platform 2."


def rail_ticket(destination: str, travellers: int, fare_class: Literal["standard", "first"] = "standard",
                return_trip: bool = False) -> str:
    """Sell rail tickets to a station.

    Args:
        destination: The station the tickets are for.
        travellers: How many people travel.
        fare_class: Standard or first class.
        return_trip: Whether the tickets are returns.
    """
    kind = "return" if return_trip else "single"
    return f"{travellers} {fare_class} {kind} tickets to {destination}."


def train_platform(train_number: str) -> str:
    """Say which platform a train leaves from.

    Args:
        train_number: The train's number, for example 2L47.
    """
    return f"Train {train_number} leaves from platform 4."


def report_lost_item(item: str, line: Literal["coastal", "valley", "express"]) -> str:
    """Log something a passenger left on a train.

    Args:
        item: What was left behind.
        line: Which line the train ran on.
    """
    return f"Logged: {item} on the {line} line."
