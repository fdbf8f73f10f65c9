"""Close-up clips of bare feet for the toe exercises: a camera low on the floor in front of the toes (a laptop or its
webcam tilted down), a room with a textured floor and coloured light, and ground truth down to where every toe tip is
in every frame.

The counts and reps come from the motion's schedule, like the full-body clips; the per-frame key points come from the
posed mesh and the camera that filmed it, so they are exact for the frame as drawn.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .body import Body
from .clip import _rounded, clip_header, ease, encode_video, intervals, smooth_noise
from .motion import SIDES, SIDE_NAMES, TOE_NAMES, build
from .scene import Camera, RoomScene, vertex_normals

# Every toe movement the routine names; a close-up clip's `counts` gives each of them.
TOE_EXERCISES = ("toe-fan-lift", "toe-fan-spread", "great-toe-down-big", "great-toe-down-little",
                 "great-toe-down-alternate", "toe-grip")
KEYPOINTS = TOE_NAMES + ("ball", "heel", "ankle")
# Toe tips and the heel are points on the skin; the ball (the middle of the toes' knuckle joints) and the ankle are
# joint centres inside the foot, so each is "visible" when the foot's own skin is the nearest thing in front of it.
SURFACE_TOLERANCE_M, JOINT_TOLERANCE_M = 0.008, 0.06
WALL_BEHIND_M = 1.3  # the wall stands this far behind the heels
FRAME_MARGIN = 0.03  # share of the frame's width and height the standing feet keep clear of its edges
AIM_HEIGHT_M = 0.09  # the camera aims this high above the middle of the feet: the feet sit below the centre


class CloseFilming:
    """A camera on the floor in front of the feet: `height_m` above the floor, `distance_m` in front of the toe tips,
    `hfov_deg` across, turned `azimuth_deg` about the feet; `adjust` moves it while a hand tilts it."""

    def __init__(self, spec: dict, body: Body, standing: np.ndarray, size: tuple[int, int]):
        self.spec = spec
        self.width, self.height = size
        feet = standing[self.feet_vertices(body)]
        centre = np.array([feet[:, 0].mean(), (feet[:, 1].min() + feet[:, 1].max()) / 2, 0.0])
        back = centre[1] - feet[:, 1].min() + spec["distance_m"]
        az = math.radians(spec.get("azimuth_deg", 0.0))
        self.eye = centre + np.array([-math.sin(az) * back, -math.cos(az) * back, spec["height_m"]])
        self.target = centre + np.array([0.0, 0.0, AIM_HEIGHT_M])
        aspect = self.width / self.height
        self.fov_y = math.degrees(2 * math.atan(math.tan(math.radians(spec["hfov_deg"]) / 2) / aspect))
        self.centre = centre
        self.wall_y = float(feet[:, 1].max() + WALL_BEHIND_M)
        self.adjust = spec.get("adjust")
        p = self.base().project(feet, self.width, self.height)
        mx, my = FRAME_MARGIN * self.width, FRAME_MARGIN * self.height
        if not ((p[:, 0] > mx) & (p[:, 0] < self.width - mx) & (p[:, 1] > my) & (p[:, 1] < self.height - my)).all():
            raise ValueError(f"the feet do not fit in the frame of {spec}")

    @staticmethod
    def feet_vertices(body: Body) -> np.ndarray:
        bones = [i for i, n in enumerate(body.labels) if n.startswith(("foot", "toe"))]
        return np.where(np.isin(body.dominant, bones))[0]

    def base(self) -> Camera:
        return Camera(self.eye, self.target, self.fov_y)

    def at(self, t: float) -> Camera:
        """The camera at time t: where it was set up, or, while a hand adjusts it, tilted and nudged toward its new
        place, where it then stays."""
        if not self.adjust:
            return self.base()
        a, b = self.adjust["span"]
        u = ease((t - a) / (b - a))
        look = self.target - self.eye
        right = np.cross(look, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        eye = self.eye + u * self.adjust.get("sideways_m", 0.0) * right
        pitch = math.radians(u * self.adjust.get("pitch_deg", 0.0))
        ground = math.hypot(look[0], look[1])
        turned = np.array([look[0], look[1], look[2] - ground * math.tan(pitch)])
        return Camera(eye, eye + turned, self.fov_y)

    def truth(self) -> dict:
        out = {"view": "closeup", "height_m": self.spec["height_m"], "distance_m": self.spec["distance_m"],
               "hfov_deg": self.spec["hfov_deg"], "vfov_deg": round(self.fov_y, 2),
               "azimuth_deg": self.spec.get("azimuth_deg", 0.0)}
        if self.adjust:
            out["adjusted"] = self.adjust["span"]
        return out


class Reach:
    """A forearm and hand that reach in from above the frame toward the camera (to adjust it) and go away again.

    The hand is the body's own rest-pose forearm and hand, moved rigidly: its fingertips travel from `from` to `to`
    (metres along the camera's right, up and forward axes from the lens), stay there `hold_s`, and go back."""

    def __init__(self, body: Body, spec: dict, camera: Camera):
        self.spec = spec
        s = spec.get("side", "R")
        self.verts, self.faces, self.colors = body.hand_mesh(s)
        elbow = body.rest[body.index[f"lowerarm01.{s}"]]
        tip_index = int(np.argmax(np.linalg.norm(self.verts - elbow, axis=1)))
        self.tip = self.verts[tip_index]
        index_base = body.rest[body.index[f"finger2-1.{s}"]]
        little_base = body.rest[body.index[f"finger5-1.{s}"]]
        axis = self.tip - elbow
        palm = np.cross(index_base - body.rest[body.index[f"wrist.{s}"]], little_base - index_base)
        self.rest_frame = self._frame(axis, palm)
        f = camera.target - camera.eye
        f /= np.linalg.norm(f)
        r = np.cross(f, [0.0, 0.0, 1.0])
        r /= np.linalg.norm(r)
        u = np.cross(r, f)
        self.cam_axes = np.array([r, u, f])
        self.eye = camera.eye
        # The arm comes from the person, above and beyond the feet, down toward the camera; the palm faces the lens.
        self.world_frame = self._frame(-0.5 * f - 0.85 * u, -f)

    @staticmethod
    def _frame(axis: np.ndarray, normal: np.ndarray) -> np.ndarray:
        x = axis / np.linalg.norm(axis)
        z = normal - np.dot(normal, x) * x
        z /= np.linalg.norm(z)
        return np.array([x, np.cross(z, x), z])

    def span(self) -> tuple[float, float]:
        start = self.spec["at"]
        return start, start + 2 * self.spec["move_s"] + self.spec["hold_s"]

    def _share(self, t: float) -> float:
        """How far the hand is along its way in: 0 out of view, 1 at the camera."""
        start, end = self.span()
        move = self.spec["move_s"]
        return ease((t - start) / move) * (1.0 - ease((t - (end - move)) / move))

    def vertices(self, t: float) -> np.ndarray:
        u = self._share(t)
        where = (1 - u) * np.array(self.spec["from"]) + u * np.array(self.spec["to"])
        tip = self.eye + self.cam_axes.T @ where
        local = (self.verts - self.tip) @ self.rest_frame.T
        return tip + local @ self.world_frame


def keypoints(body: Body, verts: np.ndarray, joints: np.ndarray) -> np.ndarray:
    """World positions (2 feet x KEYPOINTS x 3) of each foot's toe tips, ball, heel and ankle, left foot first."""
    out = np.zeros((2, len(KEYPOINTS), 3))
    for j, s in enumerate(SIDES):
        f = body.foot[s]
        out[j, :5] = verts[f["tip_vertices"]]
        out[j, 5] = joints[[body.index[f"toe{k}-1.{s}"] for k in range(1, 6)]].mean(axis=0)
        out[j, 6] = verts[f["heel_vertex"]]
        out[j, 7] = joints[body.index[f"foot.{s}"]]
    return out


def _visible(points: np.ndarray, image_xy: np.ndarray, depth: np.ndarray | None, cam: Camera) -> np.ndarray:
    """Whether each key point is inside the frame and the nearest thing there (its own skin for a joint centre)."""
    h, w = (depth.shape if depth is not None else (0, 0))
    f = cam.target - cam.eye
    f /= np.linalg.norm(f)
    dist = (points - cam.eye) @ f
    tolerance = np.array([SURFACE_TOLERANCE_M] * 5 + [JOINT_TOLERANCE_M, SURFACE_TOLERANCE_M, JOINT_TOLERANCE_M])
    out = np.zeros(points.shape[:2], bool)
    for j in range(points.shape[0]):
        for k in range(points.shape[1]):
            x, y = image_xy[j, k]
            if depth is None or not (0 <= x < w and 0 <= y < h):
                continue
            out[j, k] = dist[j, k] <= depth[int(y), int(x)] + tolerance[k]
    return out


def _rep_rises(rep: dict, world: np.ndarray, fps: int) -> dict:
    """Each toe tip's height at the rep's top minus at its start, in cm, on the foot that moved (both: their mean)."""
    feet = [j for j, s in enumerate(SIDES) if rep["side"] in ("both", SIDE_NAMES[s])]
    start, top = int(round(rep["start"] * fps)), int(round(rep["top"] * fps))
    rise = (world[top, feet, :5, 2] - world[start, feet, :5, 2]).mean(axis=0) * 100
    return {name: round(float(v), 2) for name, v in zip(TOE_NAMES, rise)}


def render_closeup(entry: dict, body: Body, out_dir: Path, log=print, encode: bool = True) -> dict:
    """Write a close-up clip, its ground truth JSON and its per-frame key points (<stem>.npz)."""
    fps = entry.get("fps", 30)
    width, height = entry["size"]
    tl = build(entry["script"], entry["tempo"], entry["seed"])
    frames = int(round(tl.t * fps))
    sway = smooth_noise(tl.rng, 2, 0.08, 0.45)
    sway_m = entry.get("sway_m", 0.01)

    def sway_at(t: float) -> np.ndarray:
        return np.r_[sway_m * sway(t), 0.0]

    # Frame on the feet as they stand before moving (in the clip's stance).
    setup = [phase for phase in entry["script"] if phase[0] == "stance"] + [["still", {"seconds": 1.0}]]
    standing, _ = body.pose(build(setup, "normal", 0), 0.0, np.zeros(3), toes_ground=True)
    filming = CloseFilming(entry["camera"], body, standing, (width, height))
    colors = body.closeup_colors(vertex_normals(body.rest_verts, body.faces))
    reach = None
    if entry.get("hand"):
        reach = Reach(body, entry["hand"], filming.base())
    scene = RoomScene(width, height, body.faces, colors, entry["floor"], entry["light"], filming.wall_y,
                      (reach.faces, reach.colors) if reach else None) if encode else None
    world = np.zeros((frames, 2, len(KEYPOINTS), 3), np.float32)
    image = np.zeros((frames, 2, len(KEYPOINTS), 2), np.float32)
    visible = np.zeros((frames, 2, len(KEYPOINTS)), bool)
    angles = np.zeros((frames, 3, 2, 5), np.float32)  # lift, spread, bend
    hand_in, feet_out = [], []

    def images():
        for i in range(frames):
            t = i / fps
            verts, joints = body.pose(tl, t, sway_at(t), toes_ground=True)
            cam = filming.at(t)
            meshes = [verts]
            hand = reach.vertices(t) if reach else None
            if hand is not None:
                meshes.append(hand)
                hp = cam.project(hand, width, height)
                ahead = (hand - cam.eye) @ (cam.target - cam.eye) > 0
                hand_in.append(bool((ahead & (hp[:, 0] >= 0) & (hp[:, 0] < width) & (hp[:, 1] >= 0)
                                     & (hp[:, 1] < height)).any()))
            pts = keypoints(body, verts, joints)
            world[i] = pts
            image[i] = cam.project(pts.reshape(-1, 3), width, height).reshape(2, -1, 2)
            feet = cam.project(verts[CloseFilming.feet_vertices(body)], width, height)
            feet_out.append(bool(((feet < 0) | (feet >= [width, height])).any()))
            for j, s in enumerate(SIDES):
                for k, (lift, fan, bends) in enumerate(body.toe_angles(tl, t, s)):
                    angles[i, :, j, k] = (lift, fan, sum(bends))
            if scene is not None:
                img, depth = scene.render_room(meshes, cam, filming.centre)
                visible[i] = _visible(pts, image[i], depth, cam)
                yield i, img

    path = out_dir / f"{entry['stem']}.mp4"
    if scene is not None:
        try:
            encode_video(path, entry, images(), frames, log)
        finally:
            scene.release()
    else:
        for _ in images():
            pass
    toe_reps = [r for r in tl.reps if r["exercise"] in TOE_EXERCISES]
    for rep in toe_reps:
        rep["tip_rise_cm"] = _rep_rises(rep, world, fps)
    others = [{k: r[k] for k in ("exercise", "start", "end", "side")} for r in tl.reps
              if r["exercise"] not in TOE_EXERCISES]
    truth = {
        **clip_header(path, entry, frames),
        "camera": filming.truth(),
        "floor": entry["floor"],
        "light": entry["light"],
        "body": body.spec.ground_truth(),
        "tempo": entry["tempo"],
        "counts": {e: sum(r["exercise"] == e and r["counted"] for r in toe_reps) for e in TOE_EXERCISES},
        "lead_in_s": round(tl.lead_in(), 3),
        "reps": _rounded(toe_reps),
        "other_movements": _rounded(others),
        "hand_in_view": intervals(hand_in, fps),
        "feet_out_of_frame": intervals(feet_out, fps),
        "keypoints": {"file": f"{entry['stem']}.npz", "feet": [SIDE_NAMES[s] for s in SIDES], "names": list(KEYPOINTS)},
    }
    np.savez_compressed(out_dir / f"{entry['stem']}.npz", image_xy=image, world_xyz=world, visible=visible,
                        lift_deg=angles[:, 0], spread_deg=angles[:, 1], bend_deg=angles[:, 2])
    (out_dir / f"{entry['stem']}.json").write_text(json.dumps(truth, indent=2) + "\n")
    return truth
