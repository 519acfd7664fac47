"""The seed's weather and appointment tools, with deterministic answers for demos and tests.

Used by configs/assistant.yaml.
"""

from __future__ import annotations

_FORECASTS = {
    "london": "cloudy, 15°C",
    "paris": "sunny, 22°C",
    "tokyo": "rainy, 18°C",
    "new york": "sunny, 72°F",
    "san francisco": "foggy, 61°F",
}


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: The city name, for example Paris.
    """
    forecast = _FORECASTS.get(city.strip().lower(), "sunny, 72°F")
    return f"The weather in {city.strip().title()} is {forecast}."


def book_appointment(date: str, time: str, service: str) -> str:
    """Book an appointment.

    Args:
        date: The day of the appointment, for example Monday or 2025-03-14.
        time: The time of day, for example 3 pm.
        service: What the appointment is for, for example a haircut.
    """
    return f"Appointment booked for {service} on {date} at {time}."
