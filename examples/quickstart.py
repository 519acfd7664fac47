# The Quickstart of the OpenAI Agents SDK's realtime docs, with the import line changed and a quiet Ctrl-C.
# Without OPENAI_API_KEY it runs offline on the embedded engine:  python examples/quickstart.py
# Run against OpenAI:  OPENAI_API_KEY=sk-... python examples/quickstart.py
import asyncio
import contextlib
from realtime_cli import RealtimeAgent, RealtimeRunner

agent = RealtimeAgent(
    name="Assistant",
    instructions="You are a helpful voice assistant. Keep your responses conversational and friendly.",
)

runner = RealtimeRunner(
    starting_agent=agent,
    config={
        "model_settings": {
            "model_name": "gpt-4o-realtime-preview",
            "voice": "alloy",
            "modalities": ["text", "audio"],
        }
    }
)

async def main():
    # Start the realtime session
    session = await runner.run()

    async with session:
        # Send a text message to start the conversation
        await session.send_message("Hello! How are you today?")

        # The agent will stream back audio in real-time (not shown in this example)
        # Listen for events from the session
        async for event in session:
            if event.type == "response.audio_transcript.done":
                print(f"Assistant: {event.transcript}")
            elif event.type == "conversation.item.input_audio_transcription.completed":
                print(f"User: {event.transcript}")

# Run the session (Ctrl-C ends it)
with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(main())
