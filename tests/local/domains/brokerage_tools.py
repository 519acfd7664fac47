from typing import Literal

_PRICES = {"AAPL": 187.2, "NVDA": 912.4, "IBM": 171.9}


def share_price(ticker: str, exchange: Literal["nyse", "nasdaq", "lse"] = "nasdaq") -> str:
    """Quote the latest share price of a listed company.

    Args:
        ticker: The company's ticker symbol, for example AAPL.
        exchange: The stock exchange it is listed on.
    """
    price = _PRICES.get(ticker.upper())
    if price is None:
        return f"No listing found for {ticker} on the {exchange.upper()}."
    return f"{ticker.upper()} last traded at {price} dollars."


def place_trade(ticker: str, side: Literal["buy", "sell"], shares: int, settlement_day: str = "") -> str:
    """Place a market trade for a number of shares.

    Args:
        ticker: The ticker symbol of the company.
        side: Whether to buy or sell.
        shares: How many shares.
        settlement_day: When the trade settles.
    """
    return f"{side} {shares} {ticker} settling {settlement_day or 'in two days'}."


def dividend_calendar(ticker: str, year: int = 2025) -> str:
    """List the dividend payout dates of a company for a year.

    Args:
        ticker: The ticker symbol of the company.
        year: The calendar year.
    """
    return f"{ticker} pays in March and September {year}."


def risk_profile(horizon_years: int, appetite: Literal["cautious", "balanced", "adventurous"]) -> str:
    """Suggest an asset mix for an investor's horizon and appetite for risk.

    Args:
        horizon_years: Years until the money is needed.
        appetite: How much risk the investor accepts.
    """
    return f"A {appetite} mix over {horizon_years} years: 60 percent equities."
