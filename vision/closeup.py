"""The feet seen close up: a camera on the floor, tilted down at bare feet about half a metre in front of the toes.

The pose model finds no person in this view, so the feet are found with classical vision. `find_feet` finds the
shins where they leave the top of the picture (columns unlike the rest of those rows in colour), separates the legs
and feet from the floor with GrabCut seeded by them, and takes each foot's front: its lowest rows, where the toes
are. It finds nothing in a view that is not a close-up of two bare feet (see MIN_LEG_WIDTH). `ToeTracker` then
compares each foot's front, frame by frame, with its resting picture taken when the feet were found:

- `change`: how far the toe band has moved away from its resting picture (mean absolute difference, in units of the
  band's own contrast). Lifting, spreading, pressing or curling the toes changes it; still feet keep it near 0, and
  it does not drift, as it is measured against a fixed picture. When the toes first move, the band is put where the
  picture changed.
- the same per half of the band: `medial_change` (big-toe side) and `lateral_change` (little-toe side);
- `ankle_change`: the rows above the band; a heel raise or an ankle rock changes them, a toe exercise hardly does;
- `darkening`: toes raised or curled under show the shadow beneath them.

The picture is brought back to the resting exposure (the floor in front of the toes measures a webcam's automatic
exposure). When the floor shifts (a hand bumps or tilts the camera), the tracker waits for a still picture and finds
the feet again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

WORK_WIDTH = 320  # pixels: frames are scaled to this width for tracking (about 2 ms a frame)
FIND_WIDTH = 240  # pixels: GrabCut runs at this width
TOP_EDGE = 0.05  # the picture's top rows, as a share of its height, where the shins leave the picture
LEG_BAND = (0.1, 0.22)  # rows, as shares of the picture's height, where the shins are seen against the wall or floor
FLOOR_BAND = 0.12  # share of the height at the bottom that is floor in front of the toes
LEG_CONTRAST = 8.0  # colour distance (Lab) from the rest of its rows that marks a leg's column
# What a close-up view looks like, as shares of the picture's width: a shin at least MIN_LEG_WIDTH and at most
# MAX_LEG_WIDTH wide, clear of the picture's sides, and each foot's front at least MIN_FOOT_WIDTH wide, the two within
# FEET_ALIKE of each other. A full-body view fails these (its "legs" at that height are a torso, arms or the
# picture's edge, and its feet are a few pixels), and then no feet are found rather than the wrong things followed.
MIN_LEG_WIDTH = 0.07
MAX_LEG_WIDTH = 0.25
MIN_FOOT_WIDTH = 0.07
FEET_ALIKE = 1.6
MIN_SKIN = 0.1  # the share of a toe band in skin colours, at least (the toe band takes in some floor too)
FLOOR_LIKE = 12.0  # colour distance (Lab) to the floor's nearest typical colour within which a pixel is floor
WIDEST_FOOT = 1.3  # a foot's front is at most this many times as wide as its leg where the legs were found
FOOT_REACH = 0.5  # a foot reaches at most this many leg widths beyond its leg's columns on the picture
TOE_BAND = 0.45  # the toe band's height, as a share of the foot's width
ANKLE_ROWS = 0.8  # the ankle window: this many foot widths of rows above the toe band
AREA_MARGIN = 0.35  # the area followed around each foot's front reaches this many foot widths beyond its outline
MOVED_CHANGE = 0.15  # a toe band change above this is a movement
TOES_MOVING = 0.3  # rows and columns that change by this share of the most changed one (above the quiet ones) are
# the toes'
CAMERA_MOVED = 0.15  # the floor shifted by more than this many foot widths: the camera moved
STILL_PICTURE = 3.0  # grey levels: a patch of the picture changing less than this between frames is still
SETTLE_FRAMES = 10  # still frames after the camera moved before the feet are found again
SEARCH_EVERY = 0.5  # seconds between searches while the feet are not found


@dataclass(frozen=True)
class FootBox:
    """One foot at WORK_WIDTH: its toe band's columns and the row of its toe tips."""

    side: str  # "left" or "right": the person's own side (on the picture, their left foot is on the right)
    left: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def toe_band(self) -> tuple[slice, slice]:
        top = max(0, self.bottom - int(TOE_BAND * self.width))
        return slice(top, self.bottom + 1), slice(self.left, self.right)


@dataclass(frozen=True)
class FootMotion:
    """How one foot's front differs from its resting picture (see the module's notes)."""

    change: float  # the whole toe band, in units of the band's own contrast
    medial_change: float  # the big-toe half
    lateral_change: float  # the little-toe half
    ankle_change: float  # the rows above the toe band (the instep and ankle), in the same units, less any even shift
    darkening: float  # how much darker the toe band is than at rest, in the same units (toes raised or curled
    # under show the shadow beneath them; toes gripping the floor stay flat on it)


@dataclass(frozen=True)
class ToeFrame:
    t: float
    found: bool  # the feet are found and followed
    feet: dict[str, FootMotion] = field(default_factory=dict)  # by side; empty when not found
    camera_moved: bool = False  # the picture moved as a whole: waiting for it to settle
    # Where each foot's toe band is, as a share of the picture's width and height: (left, top, right, bottom).
    bands: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def _stretched(image: np.ndarray) -> np.ndarray:
    """The picture with its levels stretched to the full range: a dim room's picture is found like a bright one's."""
    low, high = np.percentile(image, (1, 99))
    scale = 255.0 / max(high - low, 1.0)
    return np.clip((image.astype(np.float32) - low) * scale, 0, 255).astype(np.uint8)


def _lab(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2]))


def _legs_at_top(lab: np.ndarray) -> list[tuple[int, int]]:
    """The column runs where legs enter the top of the picture: unlike the rest of those rows (the wall or floor
    behind the legs) in colour. The two widest runs, left to right."""
    height, width = lab.shape[:2]
    distance = _unlike_row(lab[int(LEG_BAND[0] * height):int(LEG_BAND[1] * height)])
    runs = [r for r in _runs(distance > LEG_CONTRAST)
            if MIN_LEG_WIDTH * width <= r[1] - r[0] <= MAX_LEG_WIDTH * width and r[0] > 0 and r[1] < width]
    # The shins go on up out of the picture: a leg is there in its top rows too (a head or a torso seen in a
    # full-body view is not).
    edge = _unlike_row(lab[:max(2, int(TOP_EDGE * height))])
    runs = [(a, b) for a, b in runs if np.mean(edge[a:b] > LEG_CONTRAST) >= 0.5]
    return sorted(sorted(runs, key=lambda r: r[0] - r[1])[:2])


def _unlike_row(rows: np.ndarray) -> np.ndarray:
    """For each column of a band of rows, how far its typical colour is from the band's typical colour (Lab)."""
    colours = np.median(rows, axis=0)
    distance = np.linalg.norm(colours - np.median(colours, axis=0), axis=1)
    return np.convolve(distance, np.ones(5) / 5, mode="same")


def _unlike_floor(lab: np.ndarray, height: int) -> np.ndarray:
    """Pixels unlike every typical colour of the floor in front of the toes (GrabCut can take a floor tile that
    touches a foot for part of it)."""
    floor = _floor_colours(lab[height - max(2, int(FLOOR_BAND * height)):].reshape(-1, 3))
    return np.min(np.linalg.norm(lab[:, :, None, :] - floor[None, None], axis=3), axis=2) > FLOOR_LIKE


def _floor_colours(floor: np.ndarray, k: int = 4) -> np.ndarray:
    """A few typical colours of the floor (planks and rugs have more than one)."""
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    cv2.setRNGSeed(0)
    _, _, centres = cv2.kmeans(floor[::5].astype(np.float32), k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    return centres


def find_feet(image: np.ndarray) -> list[FootBox]:
    """Both feet's boxes at WORK_WIDTH, right foot first, or [] when not both feet are found."""
    height, width = image.shape[:2]
    small = cv2.resize(image, (FIND_WIDTH, round(height * FIND_WIDTH / width)), interpolation=cv2.INTER_AREA)
    small = _stretched(small)
    h, w = small.shape[:2]
    lab = _lab(small)
    legs = _legs_at_top(lab)
    if len(legs) < 2:  # both feet are in view close up; a full-body view shows one body here
        return []
    mask = np.full((h, w), cv2.GC_BGD, np.uint8)
    band = slice(int(LEG_BAND[0] * h), int(LEG_BAND[1] * h))
    for a, b in legs:
        reach = int(FOOT_REACH * (b - a))  # the foot may stick out past the leg's columns this far either side
        mask[:, max(0, a - reach):b + reach] = cv2.GC_PR_BGD
    for a, b in legs:
        margin = (b - a) // 4
        mask[:, a:b] = cv2.GC_PR_FGD
        mask[band, a + margin:b - margin] = cv2.GC_FGD
    mask[h - max(2, int(FLOOR_BAND * h) // 2):] = cv2.GC_BGD
    cv2.setRNGSeed(0)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(small, mask, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
    foreground = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD))
    # Opening removes thin floor lines (tile joints, plank edges) that GrabCut took for skin.
    opening = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    foreground = cv2.morphologyEx(foreground.astype(np.uint8), cv2.MORPH_OPEN, opening)
    # GrabCut can take a floor tile that touches a foot for part of it; where a foot comes out wider than a foot can
    # be, the pixels that look like the floor in front of the toes are left out. (Not always: on a wooden floor skin
    # and planks can be alike in colour.)
    unlike_floor = cv2.morphologyEx(foreground & _unlike_floor(lab, h), cv2.MORPH_OPEN, opening)
    scale = WORK_WIDTH / w
    feet = []
    for i, (a, b) in enumerate(legs):
        lo = 0 if i == 0 else (legs[i - 1][1] + a) // 2
        hi = w if i == len(legs) - 1 else (b + legs[i + 1][0]) // 2
        box = _foot(foreground, lo, hi, (a, b), band)
        if box is not None and box[1] - box[0] > WIDEST_FOOT * (b - a):
            narrower = _foot(unlike_floor, lo, hi, (a, b), band)
            if narrower is not None and narrower[2] >= box[2] - (b - a) // 3:  # unless that loses the toes
                box = narrower
        if box is None:
            continue
        # Facing the camera, the person's right foot is on the picture's left.
        side = ("right", "left")[i]
        left, right, bottom = (round(v * scale) for v in box)
        feet.append(FootBox(side, left, right, bottom))
    widths = sorted(f.width for f in feet)
    if len(feet) < 2 or widths[0] < MIN_FOOT_WIDTH * WORK_WIDTH or widths[1] > FEET_ALIKE * widths[0]:
        return []
    if abs(feet[0].bottom - feet[1].bottom) > widths[1]:  # side by side on the floor, the toes are level
        return []
    work = _stretched(cv2.resize(image, (WORK_WIDTH, round(height * WORK_WIDTH / width)), interpolation=cv2.INTER_AREA))
    if any(_skin_share(work[foot.toe_band]) < MIN_SKIN for foot in feet):  # bare toes, not shoes or socks
        return []
    return feet


def _skin_share(image: np.ndarray) -> float:
    """The share of pixels in a skin's range of colour (its red and blue differences, whatever its brightness)."""
    ycrcb = cv2.cvtColor(image, cv2.COLOR_RGB2YCrCb)
    red, blue = ycrcb[..., 1], ycrcb[..., 2]
    return float(np.mean((red >= 133) & (red <= 180) & (blue >= 70) & (blue <= 130)))


def _foot(foreground: np.ndarray, lo: int, hi: int, leg: tuple[int, int], band: slice) -> tuple[int, int, int] | None:
    """(left, right, bottom) of the foot under the leg: the part of the foreground, within columns lo..hi, that
    covers most of the leg's columns in the band where the legs were found; its front is its lowest rows."""
    part = np.zeros_like(foreground)
    part[:, lo:hi] = foreground[:, lo:hi]
    count, labels = cv2.connectedComponents(part)
    values = labels[band, leg[0]:leg[1]]
    values = values[values > 0]
    if values.size == 0:
        return None
    mine = labels == np.bincount(values).argmax()
    rows = np.flatnonzero(mine.any(axis=1))
    bottom = int(rows.max())
    spans = []
    for row in range(bottom, max(rows.min(), bottom - (hi - lo)), -1):
        cols = np.flatnonzero(mine[row])
        if cols.size:
            spans.append((cols.min(), cols.max()))
    spans = np.array(spans)
    front = spans[: max(1, int(np.median(spans[:, 1] - spans[:, 0]) * 0.6))]  # the toes and the ball behind them
    left, right = int(np.percentile(front[:, 0], 10)), int(np.percentile(front[:, 1], 90)) + 1
    return left, right, bottom


class _Foot:
    """One foot's resting picture, over an area around its front: the toe band and the ankle above it are windows of
    it. The outline of a foot can come out a little long or short (a floor line that touches the toes, a shadow), so
    when the foot first moves, the band is put where the picture changed: the toes are what moves."""

    def __init__(self, box: FootBox, gray: np.ndarray):
        self.box = box
        width = box.width
        top = max(0, box.bottom - int((TOE_BAND + ANKLE_ROWS + AREA_MARGIN) * width))
        bottom = min(gray.shape[0], box.bottom + int(AREA_MARGIN * width) + 1)
        left = max(0, box.left - int(AREA_MARGIN * width / 2))
        right = min(gray.shape[1], box.right + int(AREA_MARGIN * width / 2))
        self.area = (slice(top, bottom), slice(left, right))
        self.rest = gray[self.area].copy()
        self.band_height = max(4, int(TOE_BAND * width))
        self.ankle_height = max(4, int(ANKLE_ROWS * width))
        self._place(box.bottom + 1 - top, box.left - left, box.right - left)
        self.contrast = max(4.0, float(np.std(self.rest[self.band])))
        self.placed = False  # the band is where the toes moved

    def _place(self, bottom: int, first: int, last: int) -> None:
        """The toe band ends at row `bottom` of the area and takes columns first..last; the ankle is above it."""
        top = max(0, bottom - self.band_height)
        self.band = (slice(top, bottom), slice(first, last))
        ankle_top = max(0, top - self.ankle_height)
        self.ankle = (slice(ankle_top, max(ankle_top + 2, top - 2)), slice(first, last))

    def motion(self, gray: np.ndarray) -> FootMotion:
        difference = gray[self.area] - self.rest
        size = np.abs(difference)
        if not self.placed and float(np.mean(size[self.band])) + float(np.mean(size[self.ankle])) > (
                MOVED_CHANGE * self.contrast):
            self._place_on(size)
        band = difference[self.band]
        columns = np.mean(np.abs(band), axis=0) / self.contrast
        change = float(np.mean(columns))
        middle = len(columns) // 2
        inner, outer = columns[middle:], columns[:middle]
        if self.box.side == "left":  # on the picture, the left foot's big toe is on its left
            inner, outer = outer, inner
        ankle_difference = difference[self.ankle]
        # Less its mean: what is left of a change of exposure is an even shift, an ankle that moved is not.
        ankle = float(np.mean(np.abs(ankle_difference - np.mean(ankle_difference)))) / self.contrast
        return FootMotion(change, _mean(inner), _mean(outer), ankle, -float(np.mean(band)) / self.contrast)

    def band_box(self, shape: tuple[int, int]) -> tuple[float, float, float, float]:
        """The toe band as shares of the picture's width and height: (left, top, right, bottom)."""
        (rows, cols), (area_rows, area_cols) = self.band, self.area
        height, width = shape
        return ((area_cols.start + cols.start) / width, (area_rows.start + rows.start) / height,
                (area_cols.start + cols.stop) / width, (area_rows.start + rows.stop) / height)

    def _place_on(self, size: np.ndarray) -> None:
        """Put the band on the lowest rows and the columns that changed most: the toes, as they start to move."""
        moving = _changed(np.convolve(np.mean(size, axis=1), np.ones(3) / 3, mode="same"))
        bottom = int(moving[-1]) + 2
        moving = _changed(np.mean(size[max(0, bottom - self.band_height):bottom], axis=0))
        self._place(bottom, int(moving[0]), int(moving[-1]) + 1)
        self.placed = True


def _changed(profile: np.ndarray) -> np.ndarray:
    """The indices of a profile of change that rise well above its quiet part (a dim picture's noise)."""
    quiet = float(np.percentile(profile, 20))
    return np.flatnonzero(profile >= quiet + TOES_MOVING * (profile.max() - quiet))


def _still(gray: np.ndarray, previous: np.ndarray) -> bool:
    """Nothing moved between two pictures: no patch of the picture (a 12 x 8 grid) changed by STILL_PICTURE grey
    levels on average. Patches even out a webcam's pixel noise and still notice a few toes moving."""
    patches = cv2.resize(np.abs(gray - previous), (12, 8), interpolation=cv2.INTER_AREA)
    return float(patches.max()) < STILL_PICTURE


def _windowed(patch: np.ndarray) -> np.ndarray:
    """A patch ready for phase correlation: zero mean, faded out to its edges."""
    return (patch - patch.mean()) * cv2.createHanningWindow(patch.shape[::-1], cv2.CV_32F)


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if values.size else 0.0


class ToeTracker:
    """Finds the feet in a close-up stream and follows their toe bands, one frame at a time.

    >>> tracker = ToeTracker()
    >>> frame = tracker.update(rgb_image, t)   # a ToeFrame
    """

    def __init__(self):
        self._feet: list[_Foot] = []
        self._floor_rest: np.ndarray | None = None
        self._floor_window: tuple[slice, slice] | None = None
        self._floor_level = 1.0
        self._last_search = -np.inf
        self._still_frames = 0
        self._moved = False
        self._previous: np.ndarray | None = None

    def update(self, image: np.ndarray, t: float) -> ToeFrame:
        height, width = image.shape[:2]
        small = cv2.resize(image, (WORK_WIDTH, round(height * WORK_WIDTH / width)), interpolation=cv2.INTER_AREA)
        # The blur keeps the toes (8-15 pixels across here) and evens out a webcam's pixel noise.
        gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0).astype(np.float32)
        previous, self._previous = self._previous, gray
        if self._moved:
            if previous is not None and _still(gray, previous):
                self._still_frames += 1
            else:
                self._still_frames = 0
            if self._still_frames < SETTLE_FRAMES:
                return ToeFrame(t, False, camera_moved=True)
            self._moved = False
            self._feet = []
            self._last_search = -np.inf
        if not self._feet:
            if t - self._last_search < SEARCH_EVERY:
                return ToeFrame(t, False)
            self._last_search = t
            boxes = find_feet(image)
            if not boxes:
                return ToeFrame(t, False)
            self._feet = [_Foot(box, gray) for box in boxes]
            self._set_floor(gray)
        if self._floor_moved(gray):
            self._moved, self._still_frames = True, 0
            return ToeFrame(t, False, camera_moved=True)
        # A webcam's automatic exposure brightens and darkens the whole picture: the floor in front of the toes
        # measures by how much, and the feet are compared with their resting pictures at the resting exposure.
        gray = gray * (self._floor_level / max(1.0, float(np.mean(gray[self._floor_window]))))
        return ToeFrame(t, True, {foot.box.side: foot.motion(gray) for foot in self._feet},
                        bands={foot.box.side: foot.band_box(gray.shape) for foot in self._feet})

    def _set_floor(self, gray: np.ndarray) -> None:
        """The floor in front of the toes, below the feet: it moves only when the camera does."""
        bottom = max(foot.box.bottom for foot in self._feet)
        height = gray.shape[0]
        top = min(height - 8, bottom + (height - bottom) // 3)
        self._floor_window = (slice(top, height), slice(0, gray.shape[1]))
        self._floor_rest = _windowed(gray[self._floor_window])
        self._floor_level = float(np.mean(gray[self._floor_window]))

    def _floor_moved(self, gray: np.ndarray) -> bool:
        (dx, dy), _ = cv2.phaseCorrelate(self._floor_rest, _windowed(gray[self._floor_window]))
        width = float(np.median([foot.box.width for foot in self._feet]))
        return float(np.hypot(dx, dy)) > CAMERA_MOVED * width
