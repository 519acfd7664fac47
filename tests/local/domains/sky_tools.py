from typing import Literal


def reserve_telescope(night: str, instrument: Literal["refractor", "reflector", "spectrograph"]) -> str:
    """Reserve observing time on one of the observatory's instruments."""
    return f"{instrument} reserved for {night}."

def stock_quote(ticker: str) -> str:
    """Look up the current share price of a company by its ticker symbol."""
    return f"{ticker} is at 100."

def ferry_ticket(destination: str, passengers: int) -> str:
    """Buy ferry tickets to an island."""
    return f"{passengers} tickets to {destination}."
