"""The person in the clips: an anny body with a phenotype, clothes colours, and a posing function driven by a Timeline.

Pose convention of anny ("local-ref"): every bone's rotation is given in world-aligned axes about its own joint and
composes down the chain; the root carries the translation. World is Z-up in metres, the body faces -Y, its left is +X.
With identity rotations the joints sit at `rest` (the identity-posed joints), which is what the leg solver works from.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .motion import SIDES, TOE_FAN_DEG, Timeline

# MakeHuman's age anchors as anny uses them: "young" (25 years) at 2/3, "old" (90 years) at 1.
YOUNG_YEARS, OLD_YEARS = 25.0, 90.0
BUILDS = {"slim": (0.15, 0.35), "average": (0.5, 0.5), "heavy": (1.0, 0.25)}  # weight, muscle
# Close-up toe shapes at full strength, as joint angles in degrees: the knuckle joint's lift (MTP, up is positive) and
# the bend of the joints beyond it (down is positive). A grip presses the tips into the floor (knuckles up a little,
# tips bent down onto their pads); curling under raises the knuckles high and folds the tips back under the toes.
GRIP_DEG = {"big": (8.0, (26.0,)), "small": (12.0, (30.0, 22.0))}
CURL_DEG = {"big": (38.0, (85.0,)), "small": (48.0, (95.0, 55.0))}
# Close-up skin details: nails a paler pink than the skin, and the soles paler than the tops of the feet (on every skin,
# most of all on dark skin), so the toes read as toes at half a metre.
NAIL_COLOR = np.array([232.0, 200, 196])
NAIL_SHARE, SOLE_SHARE = 0.55, 0.18
# Bones of a forearm and hand, for the hand that reaches into a close-up clip.
HAND_BONES = ("lowerarm01", "lowerarm02", "wrist", "finger", "metacarpal")


def rot(axis: str, deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def align(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction a onto direction b."""
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    if np.linalg.norm(v) < 1e-9:
        return np.eye(3)
    vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + vx + vx @ vx * (1 / (1 + c))


@dataclass(frozen=True)
class BodySpec:
    name: str
    sex: str
    age_years: float
    height_m: float
    build: str
    skin: tuple
    shirt: tuple
    trousers: tuple
    hair: tuple
    leggings: bool  # trousers down to mid-shin instead of shorts

    def ground_truth(self) -> dict:
        return {"name": self.name, "sex": self.sex, "age_years": self.age_years, "height_m": self.height_m,
                "build": self.build}


class Body:
    def __init__(self, model, spec: BodySpec):
        self.model = model
        self.spec = spec
        self.labels = list(model.bone_labels)
        self.parents = list(model.bone_parents)
        self.index = {n: i for i, n in enumerate(self.labels)}
        weight, muscle = BUILDS[spec.build]
        age = 2 / 3 + (spec.age_years - YOUNG_YEARS) / (OLD_YEARS - YOUNG_YEARS) / 3
        self.phenotype = {"gender": 1.0 if spec.sex == "female" else 0.0, "age": age, "weight": weight,
                          "muscle": muscle}
        self.phenotype["height"] = self._height_for(spec.height_m)
        verts, joints = self._forward(np.tile(np.eye(3), (len(self.labels), 1, 1)), np.zeros(3))
        self.rest = joints
        self.rest_verts = verts
        self.floor = float(verts[:, 2].min())
        self.faces = model.faces.cpu().numpy().astype(np.int32)
        self.dominant = self._dominant_bones()
        self.colors = self._colors()
        self._feet()

    def _forward(self, rotations: np.ndarray, root: np.ndarray, phenotype: dict | None = None):
        P = torch.eye(4).repeat(1, len(self.labels), 1, 1)
        P[0, :, :3, :3] = torch.from_numpy(rotations).float()
        P[0, 0, :3, 3] = torch.from_numpy(np.asarray(root)).float()
        with torch.no_grad():
            out = self.model(pose_parameters=P, phenotype_kwargs=phenotype or self.phenotype)
        return out["vertices"][0].double().numpy(), out["bone_poses"][0, :, :3, 3].double().numpy()

    def _height_for(self, metres: float) -> float:
        """anny's height parameter that gives this standing height (measured on the rest mesh)."""
        lo, hi = 0.0, 1.0
        eye = np.tile(np.eye(3), (len(self.labels), 1, 1))
        for _ in range(14):
            mid = (lo + hi) / 2
            v, _ = self._forward(eye, np.zeros(3), {**self.phenotype, "height": mid})
            if v[:, 2].max() - v[:, 2].min() < metres:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    def _dominant_bones(self) -> np.ndarray:
        w = self.model.vertex_bone_weights.cpu().numpy()
        idx = self.model.vertex_bone_indices.cpu().numpy()
        return idx[np.arange(len(w)), w.argmax(axis=1)]

    def _colors(self) -> np.ndarray:
        spec = self.spec
        names = [self.labels[i] for i in self.dominant]
        v = self.rest_verts
        col = np.tile(np.array(spec.skin, float), (len(v), 1))
        # Hem lines are cut by height so they run straight round the body, not along skinning boundaries.
        waist = self.rest[self.index["upperleg01.L"], 2] + 0.10
        knee = self.rest[self.index["lowerleg01.L"], 2]
        hem = knee - 0.17 if spec.leggings else (waist + knee) / 2 - 0.02
        collar = self.rest[self.index["neck01"], 2] - 0.01
        head = self.rest[self.index["head"]]
        eye_z = self.rest[self.index["eye.L"], 2]
        body = ("root", "pelvis", "spine", "clavicle", "shoulder01", "upperleg", "lowerleg")
        for i, n in enumerate(names):
            if n.startswith(body):
                if v[i, 2] >= waist and v[i, 2] < collar:
                    col[i] = spec.shirt
                elif hem < v[i, 2] < waist:
                    col[i] = spec.trousers
            elif n.startswith("upperarm01"):
                col[i] = spec.shirt
            elif n == "head" and (v[i, 2] > eye_z + 0.045 or (v[i, 1] > head[1] + 0.03 and v[i, 2] > eye_z - 0.07)):
                col[i] = spec.hair
            elif n.startswith("eye"):
                col[i] = (30, 25, 25)
        return col.astype(np.float32) / 255.0

    def _feet(self) -> None:
        """Points of each rest foot the motions pivot on: ball of the foot, outer and inner sole edges, heel and
        toe tip."""
        self.foot = {}
        for s in SIDES:
            bones = [self.index[n] for n in self.labels
                     if n.endswith("." + s) and (n.startswith("foot") or n.startswith("toe"))]
            verts = np.where(np.isin(self.dominant, bones))[0]
            fv = self.rest_verts[verts]
            sole = fv[fv[:, 2] < self.floor + 0.02]
            ankle = self.rest[self.index[f"foot.{s}"]]
            ball = np.mean([self.rest[self.index[f"toe{k}-1.{s}"]] for k in range(1, 6)], axis=0)
            outward = 1.0 if s == "L" else -1.0
            mid_y = (sole[:, 1].min() + sole[:, 1].max()) / 2
            edge_out = np.array([sole[:, 0].max() if s == "L" else sole[:, 0].min(), mid_y, self.floor])
            edge_in = np.array([sole[:, 0].min() if s == "L" else sole[:, 0].max(), mid_y, self.floor])
            self.foot[s] = {
                "ankle": ankle, "ball": ball, "outer": edge_out, "inner": edge_in, "outward": outward,
                "heel_vertex": verts[np.argmax(fv[:, 1] - 2 * fv[:, 2])],
                "toe_vertex": verts[np.argmin(fv[:, 1])],
                "tip_vertices": [self._tip_vertex(k, s) for k in range(1, 6)],
            }
        toe_bones = [i for i, n in enumerate(self.labels) if n.startswith("toe")]
        self.on_toe = np.isin(self.dominant, toe_bones)

    def _last_phalanx(self, k: int, s: str) -> str:
        return f"toe{k}-3.{s}" if f"toe{k}-3.{s}" in self.index else f"toe{k}-2.{s}"

    def _tip_vertex(self, k: int, s: str) -> int:
        """The tip of toe k: the vertex of its last phalanx furthest forward (the body faces -y)."""
        verts = np.where(self.dominant == self.index[self._last_phalanx(k, s)])[0]
        return int(verts[np.argmin(self.rest_verts[verts, 1])])

    def closeup_colors(self, normals: np.ndarray) -> np.ndarray:
        """The clothes colours with the feet's details added: pale nails on the top of each toe's last phalanx
        (its front half), paler soles. `normals` are the rest mesh's vertex normals."""
        col = self.colors.copy()
        skin = np.array(self.spec.skin, float) / 255
        for s in SIDES:
            for k in range(1, 6):
                last = self.index[self._last_phalanx(k, s)]
                verts = np.where(self.dominant == last)[0]
                y = self.rest_verts[verts, 1]
                front = y < (y.min() + y.max()) / 2
                nail = verts[front & (normals[verts, 2] > 0.55)]
                col[nail] = (1 - NAIL_SHARE) * skin + NAIL_SHARE * NAIL_COLOR / 255
        foot_bones = [i for i, n in enumerate(self.labels) if n.startswith(("foot", "toe"))]
        sole = np.isin(self.dominant, foot_bones) & (normals[:, 2] < -0.4)
        col[sole] = (1 - SOLE_SHARE) * skin + SOLE_SHARE * np.ones(3)
        return col.astype(np.float32)

    def hand_mesh(self, s: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rest mesh's forearm and hand on side `s` as a mesh of its own (vertices, faces, colours), for a hand that
        reaches into a close-up clip: posed rigidly, it stands for a second person's (or the same person's) arm."""
        bones = [i for i, n in enumerate(self.labels) if n.startswith(HAND_BONES) and n.endswith("." + s)]
        keep = np.isin(self.dominant, bones)
        faces = self.faces[keep[self.faces].all(axis=1)]
        used = np.unique(faces)
        remap = np.full(len(keep), -1, np.int64)
        remap[used] = np.arange(len(used))
        return self.rest_verts[used], remap[faces].astype(np.int32), self.colors[used]

    def _leg_chain(self, s: str):
        hip = self.index[f"upperleg01.{s}"]
        knee = self.index[f"lowerleg01.{s}"]
        ankle = self.index[f"foot.{s}"]
        return hip, knee, ankle

    def _world_rotation(self, R: np.ndarray, bone: int) -> np.ndarray:
        W = np.eye(3)
        while bone >= 0:
            W = R[bone] @ W
            bone = self.parents[bone]
        return W

    def toe_angles(self, tl: Timeline, t: float, s: str) -> list[tuple[float, float, tuple[float, ...]]]:
        """Each toe's joint angles on foot `s` from the close-up channels (lift{k}, fan, grip, curl of that foot):
        (knuckle lift, fan, bends of the joints beyond the knuckle), degrees, toes 1..5."""
        fan, grip, curl = (tl.value(f"{n}.{s}", t) for n in ("fan", "grip", "curl"))
        angles = []
        for k in range(1, 6):
            kind = "big" if k == 1 else "small"
            (g_lift, g_bends), (c_lift, c_bends) = GRIP_DEG[kind], CURL_DEG[kind]
            lift = tl.value(f"lift{k}.{s}", t) + grip * g_lift + curl * c_lift
            bends = tuple(grip * g + curl * c for g, c in zip(g_bends, c_bends))
            angles.append((lift, fan * TOE_FAN_DEG[k - 1], bends))
        return angles

    def _closeup_toes(self, tl: Timeline) -> bool:
        return any(n.startswith(("lift1.", "fan.", "grip.", "curl.")) for n in tl.channels)

    def _pose_toes(self, R: np.ndarray, tl: Timeline, t: float, s: str, Rf: np.ndarray, toes: np.ndarray) -> None:
        """Rotations of foot `s`'s toe bones: one shape for both feet from the full-body clips' channels (toe_big,
        toe_small, toe_spread, toe_curl), or each toe of each foot on its own from the close-up channels."""
        out = self.foot[s]["outward"]
        if not self._closeup_toes(tl):
            big, small = tl.value("toe_big", t), tl.value("toe_small", t)
            spread, curl = tl.value("toe_spread", t), tl.value("toe_curl", t)
            for k in range(1, 6):
                lift = big if k == 1 else small
                fan = -spread * 0.6 if k == 1 else spread * (k - 2) / 3
                world = toes @ rot("z", out * fan) @ rot("x", -lift - 22.0 * curl)
                R[self.index[f"toe{k}-1.{s}"]] = Rf.T @ world
                if f"toe{k}-2.{s}" in self.index:
                    R[self.index[f"toe{k}-2.{s}"]] = rot("x", 55.0 * curl)
            return
        for k, (lift, fan, bends) in enumerate(self.toe_angles(tl, t, s), start=1):
            # Fanning turns a toe in the floor plane: the big toe toward the midline, the others away from it.
            R[self.index[f"toe{k}-1.{s}"]] = Rf.T @ toes @ rot("z", out * fan) @ rot("x", -lift)
            for joint, bend in enumerate(bends, start=2):
                R[self.index[f"toe{k}-{joint}.{s}"]] = rot("x", bend)

    def pose(self, tl: Timeline, t: float, sway: np.ndarray,
             toes_ground: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Vertices and joints (floor at z=0) of the body at time t of the timeline.

        `toes_ground` (close-up clips) stands the body on its soles rather than on its lowest point, then keeps every
        vertex above the floor: toes pressed into the floor flatten their pads against it instead of lifting the body.
        """
        J = len(self.labels)
        R = np.tile(np.eye(3), (J, 1, 1))
        yaw = tl.value("yaw", t)
        Ryaw = rot("z", yaw)
        R[0] = Ryaw
        rock = tl.value("rock", t)

        feet = {}
        for s in SIDES:
            f = self.foot[s]
            heel = tl.value(f"heel.{s}", t)
            swing = tl.value(f"swing.{s}", t)
            roll = rock * f["outward"]
            step = tl.value(f"step_lift.{s}", t)
            knee_up = tl.value(f"knee_up.{s}", t)
            lift = tl.value(f"lift.{s}", t)
            plantar = heel + 25.0 * step + 25.0 * knee_up + 20.0 * lift
            Rf = Ryaw @ rot("z", swing) @ rot("y", roll) @ rot("x", plantar)
            pivot = f["outer"] if rock > 0 else f["inner"] if rock < 0 else f["ball"]
            where = Ryaw @ pivot + np.array([tl.value(f"foot_x.{s}", t), 0.0, 0.0])
            # A lifted foot: behind and up for a single-leg stance, forward and up for marching, a small arc for a step.
            where = where + Ryaw @ np.array([0.0, 0.30 * lift - 0.12 * knee_up,
                                             0.14 * lift + 0.30 * knee_up + 0.09 * step])
            ankle = where + Rf @ (f["ankle"] - pivot)
            toes = Ryaw @ rot("z", swing)
            feet[s] = (Rf, ankle, toes, max(lift, knee_up, step))

        shift = np.array([tl.value("shift_x", t), 0.0, 0.0]) + sway
        walk_x = (tl.value("foot_x.L", t) + tl.value("foot_x.R", t)) / 2
        root_xy = np.array([walk_x, 0.0, 0.0]) + Ryaw @ shift
        # Highest root that both grounded legs still reach with straight knees; lifted legs stop limiting it.
        z = []
        for s in SIDES:
            hip, knee, ank = self._leg_chain(s)
            reach = np.linalg.norm(self.rest[ank] - self.rest[hip]) * 0.9995
            Rf, ankle, _, up = feet[s]
            h = root_xy + Ryaw @ self.rest[hip]
            horiz = np.linalg.norm((ankle - h)[:2])
            z.append(ankle[2] + math.sqrt(max(reach**2 - horiz**2, 0.0)) - h[2] + 10.0 * up)
        root = root_xy + np.array([0.0, 0.0, min(z) - tl.value("crouch", t)])
        if tl.value("crouch", t) > 0:
            # Squatting, the hips go back as well as down so the weight stays over the feet.
            root = root + Ryaw @ np.array([0.0, 0.45 * tl.value("crouch", t), 0.0])

        for s in SIDES:
            hip, knee, ank = self._leg_chain(s)
            Rf, ankle, toes, _ = feet[s]
            H = root + Ryaw @ self.rest[hip]
            thigh = self.rest[knee] - self.rest[hip]
            shank = self.rest[ank] - self.rest[knee]
            target = Ryaw.T @ (ankle - H)
            d = np.linalg.norm(target)
            # The knee bend that makes the hip-to-ankle distance right, then the smallest hip rotation that aims
            # the leg.
            lo, hi = 0.0, 150.0
            for _ in range(30):
                mid = (lo + hi) / 2
                if np.linalg.norm(thigh + rot("x", mid) @ shank) > d:
                    lo = mid
                else:
                    hi = mid
            bend = (lo + hi) / 2
            Rt = align(thigh + rot("x", bend) @ shank, target)
            R[hip] = Rt
            R[knee] = rot("x", bend)
            R[ank] = (Ryaw @ Rt @ R[knee]).T @ Rf
            self._pose_toes(R, tl, t, s, Rf, toes)

        lean = tl.value("lean", t)
        for n in ("spine03", "spine02"):
            R[self.index[n]] = rot("x", lean / 2) @ rot("y", sway[0] * 40.0)
        R[self.index["spine01"]] = rot("x", -lean * 0.3)
        R[self.index["neck01"]] = rot("x", -lean * 0.3)
        forward = tl.value("arms_forward", t)
        swing_arm = (tl.value("foot_x.L", t) - tl.value("foot_x.R", t)) * 40.0
        for s, sign in (("L", 1.0), ("R", -1.0)):
            shoulder, elbow, wrist = (self.index[f"{n}.{s}"] for n in ("upperarm01", "lowerarm01", "wrist"))
            # Arms hang a little away from the hips (or reach forward in a squat); forearms slightly bent.
            hang = rot("x", -forward + sign * swing_arm) @ np.array([sign * 0.12, 0.02, -1.0])
            fore = rot("x", -10.0 - 0.15 * forward) @ hang
            parent = self._world_rotation(R, self.parents[shoulder])
            R[shoulder] = align(self.rest[elbow] - self.rest[shoulder], parent.T @ Ryaw @ hang)
            R[elbow] = align(self.rest[wrist] - self.rest[elbow], (parent @ R[shoulder]).T @ Ryaw @ fore)

        verts, joints = self._forward(R, root)
        # Skinning lets the soles dip a few millimetres below where the joints put them: stand the mesh on the floor.
        floor = verts[~self.on_toe, 2].min() if toes_ground else verts[:, 2].min()
        verts[:, 2] -= floor
        joints[:, 2] -= floor
        if toes_ground:
            np.maximum(verts[:, 2], 0.0, out=verts[:, 2])
        return verts, joints
