"""One catalogue entry to one clip: frames posed from the timeline, filmed by a (possibly shaking) camera, encoded
with PyAV, and the ground-truth JSON written beside it."""
from __future__ import annotations

import json
import math
from pathlib import Path

import av
import numpy as np

from .body import Body
from .motion import SIDES, Timeline, build
from .scene import Camera, Scene

# A bumped camera reaches its new place this fast unless the catalogue says otherwise (a knock, not a pan).
BUMP_SECONDS = 0.15
AZIMUTH = {"front": 0.0, "low-front": 0.0, "oblique45": 45.0, "side": 90.0, "rear-oblique": 135.0}
# Joints that must be inside the frame for the body to count as in view (feet are judged separately).
IN_VIEW_JOINTS = ("upperarm01.L", "upperarm01.R", "wrist.L", "wrist.R", "upperleg01.L", "upperleg01.R",
                  "lowerleg01.L", "lowerleg01.R")


def ease(u: float) -> float:
    """Cosine easing of a share 0..1 (clamped): starts and ends without a jolt."""
    return (1 - math.cos(math.pi * min(max(u, 0.0), 1.0))) / 2


def smooth_noise(rng: np.random.Generator, dims: int, low_hz: float, high_hz: float):
    """A deterministic smooth random signal in [-1, 1] per dimension: a sum of three sines with random rates and
    phases."""
    freqs = rng.uniform(low_hz, high_hz, (dims, 3))
    phases = rng.uniform(0, 2 * math.pi, (dims, 3))
    return lambda t: np.sin(2 * math.pi * freqs * t + phases).sum(axis=1) / 3


class Filming:
    """Where the camera is at each moment: framed on the standing body, then moved for shake, a feet cut-off or a
    bump."""

    def __init__(self, spec: dict, body: Body, standing: np.ndarray, size: tuple[int, int], tl: Timeline):
        self.spec = spec
        self.width, self.height = size
        az = math.radians(AZIMUTH[spec["view"]])
        dist = spec["distance_m"]
        self.eye = np.array([-math.sin(az) * dist, -math.cos(az) * dist, spec["height_m"]])
        centre = standing.mean(axis=0)
        self.target = np.array([centre[0], centre[1], (standing[:, 2].max() + standing[:, 2].min()) / 2])
        self.fov = self._fit(standing, spec.get("fill", 0.8))
        self.feet_cut = spec.get("feet_cut")
        if self.feet_cut:
            self.cut_height = self._cut_height(body, standing)
        self.shake = smooth_noise(tl.rng, 6, 0.4, 1.6) if spec.get("shake") else None
        self.bump = spec.get("bump")

    def _camera(self, fov: float, lift: float = 0.0) -> Camera:
        up = np.array([0.0, 0.0, lift])
        return Camera(self.eye + up, self.target + up, fov)

    def _fit(self, pts: np.ndarray, fill: float) -> float:
        """The field of view in which the standing body fills `fill` of the frame, centred by moving the aim point."""
        fov = 40.0
        for _ in range(4):
            lo, hi = 5.0, 120.0
            for _ in range(30):
                fov = (lo + hi) / 2
                p = self._camera(fov).project(pts, self.width, self.height)
                share = max(np.ptp(p[:, 1]) / self.height, np.ptp(p[:, 0]) / self.width)
                lo, hi = (fov, hi) if share > fill else (lo, fov)
            p = self._camera(fov).project(pts, self.width, self.height)
            off = (p[:, 1].max() + p[:, 1].min()) / 2 - self.height / 2
            metres_per_px = np.ptp(pts[:, 2]) / max(np.ptp(p[:, 1]), 1.0)
            self.target = self.target - np.array([0.0, 0.0, off * metres_per_px])
        return fov

    def _cut_height(self, body: Body, standing: np.ndarray) -> float:
        """How far to raise the camera so that both feet are below the bottom edge of the frame."""
        lift = 0.0
        while self.feet_outside(body, standing, self._camera(self.fov, lift)) < 1.0 and lift < 2.0:
            lift += 0.01
        return lift + 0.04

    def at(self, t: float) -> Camera:
        lift = 0.0
        if self.feet_cut:
            a, b = self.feet_cut
            ramp = 0.6
            u = min(max((t - a) / ramp, 0.0), 1.0) * min(max((b - t) / ramp, 0.0), 1.0)
            lift = self.cut_height * (1 - math.cos(math.pi * u)) / 2
        cam = self._camera(self.fov, lift)
        if self.bump:
            cam = self._bumped(cam, t)
        if self.shake:
            j = self.shake(t)
            return Camera(cam.eye + 0.012 * j[:3], cam.target + 0.02 * j[3:], cam.fov_y)
        return cam

    def bump_span(self) -> list[float]:
        return [self.bump["at"], self.bump["at"] + self.bump.get("seconds", BUMP_SECONDS)]

    def _bumped(self, cam: Camera, t: float) -> Camera:
        """The camera knocked at `at`: within a fraction of a second it slides sideways and turns a few degrees, and
        stays there, so the person jumps to a new place in the picture in the middle of a set."""
        start, end = self.bump_span()
        u = ease((t - start) / (end - start))
        look = cam.target - cam.eye
        right = np.cross(look, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        yaw = math.radians(u * self.bump.get("yaw_deg", 0.0))
        pitch = math.radians(u * self.bump.get("pitch_deg", 0.0))
        c, s = math.cos(yaw), math.sin(yaw)
        ground = math.hypot(look[0], look[1])
        turned = np.array([c * look[0] - s * look[1], s * look[0] + c * look[1], look[2] + ground * math.tan(pitch)])
        eye = cam.eye + u * self.bump.get("sideways_m", 0.0) * right
        return Camera(eye, eye + turned, cam.fov_y)

    def feet_outside(self, body: Body, verts: np.ndarray, cam: Camera) -> float:
        """Share of the foot points (heels, toe tips) outside the frame."""
        idx = [body.foot[s][k] for s in ("L", "R") for k in ("heel_vertex", "toe_vertex")]
        p = cam.project(verts[idx], self.width, self.height)
        inside = (p[:, 0] >= 0) & (p[:, 0] < self.width) & (p[:, 1] >= 0) & (p[:, 1] < self.height)
        return 1.0 - inside.mean()

    def body_inside(self, body: Body, verts: np.ndarray, joints: np.ndarray, cam: Camera) -> bool:
        top = verts[np.argmax(verts[:, 2])]
        pts = np.vstack([top, joints[[body.index[n] for n in IN_VIEW_JOINTS]]])
        p = cam.project(pts, self.width, self.height)
        return bool(((p[:, 0] >= 0) & (p[:, 0] < self.width) & (p[:, 1] >= 0) & (p[:, 1] < self.height)).all())


def intervals(flags: list[bool], fps: int) -> list[list[float]]:
    """Runs of True frames as [first frame time, last frame time] pairs."""
    out, start = [], None
    for i, f in enumerate(flags + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append([round(start / fps, 3), round((i - 1) / fps, 3)])
            start = None
    return out


def _rounded(events: list[dict]) -> list[dict]:
    return [{k: round(v, 3) if isinstance(v, float) else v for k, v in e.items()} for e in events]


def heel_lift_cm(body: Body, tl: Timeline, rep: dict, sway_at) -> float:
    """How far the heel really rises in a rep: the heel vertex's height above the floor at the top minus at the start
    (flat), on the posed mesh as rendered; a both-feet rep gives the mean of the two heels. Measured rather than derived
    from the heel angle, because the mesh is stood back on the floor after posing and the body may shift."""
    sides = SIDES if rep["side"] == "both" else (rep["side"][0].upper(),)

    def heel_heights(t: float) -> np.ndarray:
        verts, _ = body.pose(tl, t, sway_at(t))
        return np.array([verts[body.foot[s]["heel_vertex"], 2] for s in sides])

    return round(float(np.mean(heel_heights(rep["top"]) - heel_heights(rep["start"]))) * 100, 2)


def encode_video(path: Path, entry: dict, images, frames: int, log) -> None:
    """Encode RGB frames from `images` (index, image) into an H.264 clip with libx264."""
    fps = entry.get("fps", 30)
    width, height = entry["size"]
    container = av.open(str(path), "w", format="mp4")
    try:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        # One encoder thread keeps the bitstream identical from run to run.
        stream.options = {"crf": str(entry.get("crf", 23)), "preset": "medium", "threads": "1"}
        for i, img in images:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
            if i % 60 == 0:
                log(f"  {entry['stem']}: frame {i}/{frames}")
        container.mux(stream.encode())
    finally:
        container.close()


def _encode(path: Path, entry: dict, body: Body, shots, frames: int, log) -> None:
    """Render each posed frame from `shots` (index, vertices, joints, camera) and encode the clip."""
    width, height = entry["size"]
    scene = Scene(width, height, body.faces, body.colors)

    def images():
        for i, verts, joints, cam in shots:
            blobs = np.array([
                [*joints[body.index["foot.L"], :2], 0.13, 0.30],
                [*joints[body.index["foot.R"], :2], 0.13, 0.30],
                [*joints[0, :2] + [0.08, 0.12], 0.40, 0.22],
            ])
            yield i, scene.render(verts, cam, blobs)

    try:
        encode_video(path, entry, images(), frames, log)
    finally:
        scene.release()


def clip_header(path: Path, entry: dict, frames: int) -> dict:
    """The fields every ground-truth file starts with: the clip, what it shows, its frame rate, length and size."""
    fps = entry.get("fps", 30)
    width, height = entry["size"]
    return {
        "clip": path.name,
        "exercise": entry["exercise"],
        "description": entry["description"],
        "fps": fps,
        "frames": frames,
        "width": width,
        "height": height,
        "duration": round(frames / fps, 3),
    }


def render_clip(entry: dict, body: Body, out_dir: Path, log=print, encode: bool = True) -> dict:
    """Write the clip and its ground truth; with encode=False only the ground truth (the frames are posed, not
    drawn)."""
    fps = entry.get("fps", 30)
    width, height = entry["size"]
    tl = build(entry["script"], entry["tempo"], entry["seed"], entry.get("start_x", 0.0))
    frames = int(round(tl.t * fps))
    sway = smooth_noise(tl.rng, 2, 0.08, 0.45)
    sway_m = entry.get("sway_m", 0.008)

    def sway_at(t: float) -> np.ndarray:
        return np.r_[sway_m * sway(t), 0.0]

    # Frame on the person standing where they stop (for a walk-through, the middle of the frame).
    stand_x = entry.get("frame_x", 0.0)
    facing = [phase for phase in entry["script"] if phase[0] == "face"]
    standing, _ = body.pose(build(facing + [["still", {"seconds": 1.0}]], "normal", 0, stand_x), 0.0, np.zeros(3))
    filming = Filming(entry["camera"], body, standing, (width, height), tl)
    path = out_dir / f"{entry['stem']}.mp4"
    feet_out, in_view = [], []

    def shots():
        for i in range(frames):
            t = i / fps
            verts, joints = body.pose(tl, t, sway_at(t))
            cam = filming.at(t)
            feet_out.append(filming.feet_outside(body, verts, cam) > 0)
            in_view.append(filming.body_inside(body, verts, joints, cam))
            yield i, verts, joints, cam

    if encode:
        _encode(path, entry, body, shots(), frames, log)
    else:
        for _ in shots():
            pass

    for rep in tl.reps + tl.partial_reps:
        if rep["exercise"] == "heel-raise":
            rep["heel_lift_cm"] = heel_lift_cm(body, tl, rep, sway_at)
    counts = {
        "heel-raise": sum(r["exercise"] == "heel-raise" for r in tl.reps),
        "ankle-rock": sum(r["exercise"] == "ankle-rock" for r in tl.reps),
        "ball-roll": len(tl.rolls),
    }
    camera = ({k: entry["camera"][k] for k in ("view", "height_m", "distance_m")}
              | {"shake": bool(entry["camera"].get("shake"))})
    if filming.bump:
        camera["bump"] = [round(t, 3) for t in filming.bump_span()]
    truth = {
        **clip_header(path, entry, frames),
        "camera": camera,
        "body": body.spec.ground_truth(),
        "tempo": entry["tempo"],
        "counts": counts,
        "lead_in_s": round(tl.lead_in(), 3),
        "reps": _rounded(tl.reps),
        "partial_reps": _rounded(tl.partial_reps),
        "rolls": _rounded(tl.rolls),
        "turns": _rounded(tl.turns),
        "feet_out_of_frame": intervals(feet_out, fps),
        "body_in_view": intervals(in_view, fps),
    }
    (out_dir / f"{entry['stem']}.json").write_text(json.dumps(truth, indent=2) + "\n")
    return truth
