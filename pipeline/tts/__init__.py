"""TTS backends: the contract every voice engine meets, and the default offline espeak-ng voice."""

from pipeline.tts.base import TTSBackend, VoiceProfile, VoiceRequest, voice_for, wav_duration

__all__ = ["TTSBackend", "VoiceProfile", "VoiceRequest", "voice_for", "wav_duration"]
