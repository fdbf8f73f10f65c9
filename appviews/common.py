"""What the pages share: the history store, measures and counts in words, and the browser's sounds."""
from __future__ import annotations

import json
from typing import Iterable

import streamlit as st

from routines.detectors.events import not_measured_reasons, readable_measures
from routines.exercises import exercise_title
from routines.history import HistoryStore, default_db_path

# Column headings for the detectors' measures (README: "Heel-raise measures"); lengths are in torso lengths, the
# unit the foot signals are measured in. A measure not named here reads as its key with "_s" as "(s)".
MEASURE_NAMES = {
    "rise": "body rise (torso lengths)",
    "heel_rise": "heel rise (torso lengths)",
    "rise_cm": "rise height (cm)",
    "rise_s": "rise (s)",
    "hold_s": "hold (s)",
    "lower_s": "lowering (s)",
    "outer": "outer edges (torso lengths)",
    "inner": "inner edges (torso lengths)",
    "swing_out": "swing out (torso lengths)",
    "swing_in": "swing in (torso lengths)",
    "duration_s": "duration (s)",
}


def measure_name(key: str) -> str:
    if key in MEASURE_NAMES:
        return MEASURE_NAMES[key]
    return key.removesuffix("_s").replace("_", " ") + (" (s)" if key.endswith("_s") else "")


def measure_columns(measures: dict) -> dict:
    """A rep's measures as table columns: headed in words, "not measured" where the view could not support one."""
    return {measure_name(key): value for key, value in readable_measures(measures).items()}

@st.cache_resource(show_spinner=False)
def _store(path: str) -> HistoryStore:
    return HistoryStore(path)


def store() -> HistoryStore:
    """One store per history file for the whole server (it is thread-safe); $FOOTFORM_DB picks the file."""
    return _store(str(default_db_path()))


def not_measured(measures: Iterable[dict]) -> None:
    """Under a table of reps: why a measure reads "not measured" (each reason once)."""
    reasons = dict.fromkeys(reason for m in measures for reason in not_measured_reasons(m))
    for reason in reasons:
        name, why = reason.split(": ", 1)
        label = measure_name(name)
        st.caption(f"{label[:1].upper()}{label[1:]} not measured: {why}.")


def reps(n: int) -> str:
    """ "1 rep", "3 reps"."""
    return f"{n} rep" if n == 1 else f"{n} reps"


def count_of(n: int, exercise: str) -> str:
    """ "1 heel raise", "3 ankle rocks"."""
    name = exercise_title(exercise)
    return f"{n} {name.removesuffix('s')}" if n == 1 and name.endswith("s") else f"{n} {name}"


def exercise_label(exercise: str) -> str:
    return exercise_title(exercise).capitalize()


def sound_settings() -> tuple[bool, bool]:
    """(tick on each rep, spoken cues), from the sidebar switches."""
    return st.session_state.get("sound_tick", True), st.session_state.get("sound_voice", True)


_TONE_JS = """
const A = window.AudioContext || window.webkitAudioContext;
const audio = window.__footformAudio || (window.__footformAudio = new A());
audio.resume();
const tone = (freq, at, length) => {
  const osc = audio.createOscillator(), gain = audio.createGain();
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.35, audio.currentTime + at);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + length);
  osc.connect(gain).connect(audio.destination);
  osc.start(audio.currentTime + at);
  osc.stop(audio.currentTime + at + length + 0.02);
};
"""


def _js_string(text: str) -> str:
    # JSON is a valid JS literal; "</" is split so a text can never close the <script> element.
    return json.dumps(text).replace("</", "<\\/")


def play(slot, serial: int, tick: bool = False, say: str = "") -> None:
    """Play a tick and/or speak a text in the browser (Web Audio and speech synthesis), once per `serial`."""
    tick_on, voice_on = sound_settings()
    tick, say = tick and tick_on, say if voice_on else ""
    if not tick and not say:
        return
    parts = [f"<!-- {serial} -->", "<script>(() => {", _TONE_JS]
    if tick:
        parts.append("tone(1320, 0, 0.08);")
    if say:
        parts.append("speechSynthesis.cancel(); "
                     f"speechSynthesis.speak(new SpeechSynthesisUtterance({_js_string(say)}));")
    parts.append("})();</script>")
    slot.html("\n".join(parts), unsafe_allow_javascript=True)


def beat(reps: int, seconds: float, paused: bool, key: str) -> None:
    """A visible and audible pace for a guided step: one rep every `seconds`, a high tick to start it, a low one
    half way (lift, then lower)."""
    if paused:
        st.markdown("<div class='ff-beat'><div class='ff-beat-count'>Paused</div></div>", unsafe_allow_html=True)
        return
    tick_on, voice_on = sound_settings()
    element = f"ff-beat-{key}"
    st.html(
        f"""
<div class="ff-beat" id="{element}"><div class="ff-beat-count">Get ready</div>"""
        f"""<div class="ff-beat-phase">&nbsp;</div></div>
<script>(() => {{
{_TONE_JS if tick_on else "const tone = () => {};"}
const root = document.getElementById({_js_string(element)});
if (window.__footformBeat) clearInterval(window.__footformBeat);
const reps = {int(reps)}, half = {float(seconds) * 500:.0f}, voice = {str(voice_on).lower()};
let step = -2;  // one beat of "get ready" first
window.__footformBeat = setInterval(() => {{
  if (!document.body.contains(root)) {{ clearInterval(window.__footformBeat); return; }}
  step += 1;
  if (step < 0) return;
  const rep = Math.floor(step / 2) + 1;
  if (rep > reps) {{
    root.querySelector(".ff-beat-count").textContent = reps === 1 ? "The rep is done: tap Done" """
        f""": `All ${{reps}} reps done: tap Done`;
    root.querySelector(".ff-beat-phase").textContent = "";
    clearInterval(window.__footformBeat);
    return;
  }}
  const up = step % 2 === 0;
  root.querySelector(".ff-beat-count").textContent = `Rep ${{rep}} of ${{reps}}`;
  root.querySelector(".ff-beat-phase").textContent = up ? "lift" : "lower";
  root.classList.toggle("ff-up", up);
  tone(up ? 1320 : 660, 0, 0.08);
  if (voice && up) {{ speechSynthesis.cancel(); speechSynthesis.speak(new SpeechSynthesisUtterance(String(rep))); }}
}}, half);
}})();</script>
""",
        unsafe_allow_javascript=True,
    )


STYLE = ("""
<style>
.ff-count { font-size: 3.2rem; font-weight: 700; line-height: 1.1; margin: 0.2rem 0 0.6rem 0; }
.ff-step-count { font-size: 2.4rem; font-weight: 600; color: #2e7d32; }
.ff-cue { font-size: 1.6rem; color: #b26a00; }
.ff-guidance { font-size: 1.6rem; color: #c62828; }
.ff-beat { border-radius: 1rem; padding: 1rem 1.5rem; background: #eef3f8; text-align: center; """
         """transition: background 0.2s; }
.ff-beat.ff-up { background: #d7ecd9; }
.ff-beat-count { font-size: 2.6rem; font-weight: 700; }
.ff-beat-phase { font-size: 1.6rem; }
</style>
""")
