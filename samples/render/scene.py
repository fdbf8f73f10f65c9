"""Offscreen rendering of the body on a plain floor with moderngl (EGL, Mesa's software rasteriser on this machine)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import moderngl
import numpy as np

# The body's vertex shader, for the full-body scene and the close-up room alike (only the room's lighting uses v_pos).
BODY_VS = """
#version 330
uniform mat4 mvp;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_color;
out vec3 v_pos;
out vec3 v_normal;
out vec3 v_color;
void main() {
    v_pos = in_pos;
    v_normal = in_normal;
    v_color = in_color;
    gl_Position = mvp * vec4(in_pos, 1.0);
}
"""
BODY_FS = """
#version 330
uniform vec3 key_dir;
uniform vec3 fill_dir;
in vec3 v_normal;
in vec3 v_color;
out vec4 f_color;
void main() {
    vec3 n = normalize(v_normal);
    float key = max(dot(n, key_dir), 0.0);
    float fill = max(dot(n, fill_dir), 0.0);
    vec3 c = v_color * (0.32 + 0.62 * key + 0.28 * fill);
    f_color = vec4(pow(c, vec3(1.0 / 1.15)), 1.0);
}
"""
FLOOR_VS = """
#version 330
uniform mat4 mvp;
in vec3 in_pos;
out vec3 v_pos;
void main() {
    v_pos = in_pos;
    gl_Position = mvp * vec4(in_pos, 1.0);
}
"""
# The shadow is soft blobs under the feet and the body, offset away from the key light: cheap and never hard-edged.
FLOOR_FS = """
#version 330
uniform vec3 floor_color;
uniform vec3 back_color;
uniform vec4 blobs[3];
in vec3 v_pos;
out vec4 f_color;
void main() {
    float shade = 0.0;
    for (int i = 0; i < 3; i++) {
        vec2 d = (v_pos.xy - blobs[i].xy) / blobs[i].z;
        shade += blobs[i].w * exp(-dot(d, d));
    }
    float far = smoothstep(6.0, 14.0, length(v_pos.xy));
    vec3 c = mix(floor_color, back_color, far) * (1.0 - min(shade, 0.55));
    f_color = vec4(c, 1.0);
}
"""


NEAR_M, FAR_M = 0.05, 60.0  # the camera's clipping planes


@dataclass(frozen=True)
class Camera:
    eye: np.ndarray
    target: np.ndarray
    fov_y: float  # degrees

    def view_projection(self, aspect: float) -> np.ndarray:
        f = self.target - self.eye
        f = f / np.linalg.norm(f)
        r = np.cross(f, [0.0, 0.0, 1.0])
        r = r / np.linalg.norm(r)
        u = np.cross(r, f)
        view = np.eye(4)
        view[0, :3], view[1, :3], view[2, :3] = r, u, -f
        view[:3, 3] = -view[:3, :3] @ self.eye
        near, far = NEAR_M, FAR_M
        t = 1.0 / math.tan(math.radians(self.fov_y) / 2)
        proj = np.zeros((4, 4))
        proj[0, 0], proj[1, 1] = t / aspect, t
        proj[2, 2], proj[2, 3] = (far + near) / (near - far), 2 * far * near / (near - far)
        proj[3, 2] = -1.0
        return proj @ view

    def project(self, points: np.ndarray, width: int, height: int) -> np.ndarray:
        """Pixel coordinates (x right, y down) of world points."""
        m = self.view_projection(width / height)
        h = np.c_[points, np.ones(len(points))] @ m.T
        ndc = h[:, :2] / h[:, 3:4]
        return np.c_[(ndc[:, 0] + 1) * width / 2, (1 - ndc[:, 1]) * height / 2]


def vertex_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    tri = verts[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = np.zeros_like(verts)
    for k in range(3):
        for c in range(3):
            n[:, c] += np.bincount(faces[:, k], weights=fn[:, c], minlength=len(verts))
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


class Scene:
    def __init__(self, width: int, height: int, faces: np.ndarray, colors: np.ndarray,
                 floor_color=(0.78, 0.74, 0.68), back_color=(0.86, 0.87, 0.88)):
        self.width, self.height = width, height
        self.ctx = moderngl.create_standalone_context(backend="egl")
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.msaa = self.ctx.framebuffer(
            color_attachments=[self.ctx.renderbuffer((width, height), samples=4)],
            depth_attachment=self.ctx.depth_renderbuffer((width, height), samples=4),
        )
        self.out = self.ctx.simple_framebuffer((width, height))
        self.back_color = back_color
        self.body_prog = self.ctx.program(vertex_shader=BODY_VS, fragment_shader=BODY_FS)
        self.floor_prog = self.ctx.program(vertex_shader=FLOOR_VS, fragment_shader=FLOOR_FS)
        self.floor_prog["floor_color"].value = floor_color
        self.floor_prog["back_color"].value = back_color
        key = np.array([-0.4, -0.8, 0.9])
        fill = np.array([0.7, -0.3, 0.2])
        self.body_prog["key_dir"].value = tuple(key / np.linalg.norm(key))
        self.body_prog["fill_dir"].value = tuple(fill / np.linalg.norm(fill))
        self.faces = faces
        n = len(colors)
        self.pos_buf = self.ctx.buffer(reserve=n * 12)
        self.nrm_buf = self.ctx.buffer(reserve=n * 12)
        col_buf = self.ctx.buffer(colors.astype("f4").tobytes())
        idx_buf = self.ctx.buffer(faces.astype("i4").tobytes())
        self.body_vao = self.ctx.vertex_array(
            self.body_prog,
            [(self.pos_buf, "3f", "in_pos"), (self.nrm_buf, "3f", "in_normal"), (col_buf, "3f", "in_color")],
            index_buffer=idx_buf,
        )
        s = 40.0
        quad = np.array([[-s, -s, 0], [s, -s, 0], [s, s, 0], [-s, -s, 0], [s, s, 0], [-s, s, 0]], "f4")
        self.floor_vao = self.ctx.vertex_array(self.floor_prog, [(self.ctx.buffer(quad.tobytes()), "3f", "in_pos")])

    def render(self, verts: np.ndarray, camera: Camera, blobs: np.ndarray) -> np.ndarray:
        """An RGB frame (height x width x 3, uint8); `blobs` holds 3 shadow blobs (x, y, radius, darkness)."""
        mvp = camera.view_projection(self.width / self.height).T.astype("f4").tobytes()
        self.pos_buf.write(verts.astype("f4").tobytes())
        self.nrm_buf.write(vertex_normals(verts, self.faces).astype("f4").tobytes())
        self.msaa.use()
        self.ctx.clear(*self.back_color, 1.0)
        self.floor_prog["mvp"].write(mvp)
        self.floor_prog["blobs"].write(np.asarray(blobs, "f4").tobytes())
        self.floor_vao.render()
        self.body_prog["mvp"].write(mvp)
        self.body_vao.render()
        self.ctx.copy_framebuffer(self.out, self.msaa)
        img = np.frombuffer(self.out.read(components=3), np.uint8).reshape(self.height, self.width, 3)
        return img[::-1].copy()

    def release(self) -> None:
        self.ctx.release()


# ---- Close-up scenes: a room (textured floor, a wall), coloured lights, soft shadows that follow the toes ----

# Skin lit by a key light, a sky/floor ambient (the underside of a lifted toe takes the floor's bounce) and a faint
# sheen; skin close to the floor darkens a little, where the floor hides the ambient light.
ROOM_BODY_FS = """
#version 330
uniform vec3 key_dir;
uniform vec3 key_color;
uniform vec3 sky_color;
uniform vec3 ground_color;
uniform vec3 eye_pos;
in vec3 v_pos;
in vec3 v_normal;
in vec3 v_color;
out vec4 f_color;
void main() {
    vec3 n = normalize(v_normal);
    float key = max(dot(n, key_dir), 0.0);
    vec3 ambient = mix(ground_color, sky_color, 0.5 + 0.5 * n.z);
    float contact = mix(0.55, 1.0, smoothstep(0.0, 0.03, v_pos.z));
    vec3 h = normalize(key_dir + normalize(eye_pos - v_pos));
    float sheen = 0.06 * pow(max(dot(n, h), 0.0), 20.0);
    vec3 c = v_color * (ambient * contact + key_color * key) + key_color * sheen;
    f_color = vec4(pow(c, vec3(1.0 / 1.15)), 1.0);
}
"""
# Procedural floors (no images): light oak planks with grain, seams and staggered ends, or a woven rug (a cream
# diamond lattice on slate blue, a rust band, fibre noise). The wall behind is plain paint over a skirting board.
ROOM_FS = ("""
#version 330
uniform int pattern;
uniform vec3 key_color;
uniform vec3 sky_color;
uniform float key_elevation;
uniform vec3 pool;
uniform sampler2D shadow;
uniform vec4 shadow_rect;
in vec3 v_pos;
out vec4 f_color;

float hash(vec2 p) { return fract(sin(dot(p, vec2(127.1, 311.7))) * 43758.5453); }
float noise(vec2 p) {
    vec2 i = floor(p), f = fract(p);
    vec2 u = f * f * (3.0 - 2.0 * f);
    return mix(mix(hash(i), hash(i + vec2(1.0, 0.0)), u.x), """
           """mix(hash(i + vec2(0.0, 1.0)), hash(i + vec2(1.0, 1.0)), u.x), u.y);
}
float fbm(vec2 p) {
    float s = 0.0, a = 0.5;
    for (int i = 0; i < 5; i++) { s += a * noise(p); p *= 2.03; a *= 0.5; }
    return s;
}
vec3 planks(vec2 p) {
    float w = 0.14, len = 1.3;
    float row = floor(p.x / w);
    float offset = hash(vec2(row, 3.0)) * len;
    vec2 id = vec2(row, floor((p.y + offset) / len));
    vec3 base = mix(vec3(0.78, 0.62, 0.43), vec3(0.90, 0.77, 0.58), hash(id));
    float grain = fbm(vec2(p.x * 70.0, p.y * 5.0) + id * 17.0);
    float figure = sin(p.x * 180.0 + fbm(vec2(p.x * 9.0, p.y * 1.2) + id) * 9.0);
    vec3 c = base * (0.84 + 0.22 * grain) * (0.97 + 0.03 * figure);
    float seam_x = abs(fract(p.x / w + 0.5) - 0.5) * w;
    float seam_y = abs(fract((p.y + offset) / len + 0.5) - 0.5) * len;
    return c * mix(0.5, 1.0, smoothstep(0.0005, 0.002, min(seam_x, seam_y)));
}
vec3 rug(vec2 p) {
    vec2 q = p / 0.085;
    vec2 d = abs(fract(vec2(q.x + q.y, q.x - q.y) * 0.5) - 0.5);
    float wobble = 0.012 * (noise(p * 90.0) - 0.5);
    float lattice = smoothstep(0.045, 0.025, min(d.x, d.y) + wobble);
    float motif = smoothstep(0.13, 0.10, d.x + d.y + wobble);
    vec3 c = mix(vec3(0.20, 0.27, 0.38), vec3(0.60, 0.30, 0.20), motif);
    c = mix(c, vec3(0.84, 0.80, 0.70), lattice);
    float band = smoothstep(0.035, 0.03, abs(p.y + 0.42));
    c = mix(c, vec3(0.60, 0.30, 0.20), band);
    float weave = 0.5 + 0.5 * sin(p.x * 1400.0) * sin(p.y * 1400.0);
    return c * (0.8 + 0.22 * fbm(p * 220.0) + 0.06 * weave);
}
void main() {
    vec3 c;
    float lit;
    if (v_pos.z > 0.0005) {
        c = v_pos.z < 0.09 ? vec3(0.90, 0.90, 0.88) : vec3(0.80, 0.79, 0.75);
        lit = 0.6;
    } else {
        c = pattern == 0 ? planks(v_pos.xy) : rug(v_pos.xy);
        vec2 uv = (v_pos.xy - shadow_rect.xy) / shadow_rect.zw;
        float shade = all(greaterThan(uv, vec2(0.0))) && all(lessThan(uv, vec2(1.0))) ? texture(shadow, uv).r : 0.0;
        lit = key_elevation * (1.0 - shade);
    }
    // A lamp lights a pool around the point below it; daylight (pool.z = 0) lights the room evenly.
    float near = pool.z > 0.0 ? exp(-dot(v_pos.xy - pool.xy, v_pos.xy - pool.xy) / (pool.z * pool.z)) : 1.0;
    c *= sky_color + key_color * lit * mix(0.35, 1.0, near);
    f_color = vec4(pow(c, vec3(1.0 / 1.15)), 1.0);
}
""")
# The shadow pass draws the body flattened along the key light onto a map of the floor around the feet: red holds the
# parts within a centimetre or two of the floor (contact), green everything up to the knees, fading with height.
SHADOW_VS = """
#version 330
uniform vec3 key_dir;
uniform vec4 shadow_rect;
in vec3 in_pos;
out float v_height;
void main() {
    vec3 q = in_pos - key_dir * (in_pos.z / key_dir.z);
    v_height = in_pos.z;
    gl_Position = vec4((q.xy - shadow_rect.xy) / shadow_rect.zw * 2.0 - 1.0, 0.0, 1.0);
}
"""
SHADOW_FS = """
#version 330
in float v_height;
out vec4 f_color;
void main() {
    f_color = vec4(exp(-v_height / 0.012), exp(-v_height / 0.3), 0.0, 1.0);
}
"""
FLOORS = {"planks": 0, "rug": 1}


@dataclass(frozen=True)
class Light:
    """A room's lighting: a key light (direction toward it, colour times strength), the sky's ambient colour, and for a
    lamp the radius of the pool of light on the floor below it (0: daylight, the same everywhere)."""
    key_dir: tuple
    key_color: tuple
    sky_color: tuple
    pool_radius: float = 0.0
    pool_at: tuple = (0.0, 0.0)


LIGHTS = {
    # A bright window to the front left of the person: cool white light and a bluish sky fill.
    "daylight": Light(key_dir=(-0.45, -0.55, 0.85), key_color=(0.68, 0.70, 0.74), sky_color=(0.40, 0.44, 0.50)),
    # A dim warm lamp high to the right: orange light, a weak fill, a pool of light that fades away from the feet.
    "lamp": Light(key_dir=(0.55, -0.35, 0.9), key_color=(0.62, 0.43, 0.24), sky_color=(0.16, 0.13, 0.10),
                  pool_radius=1.1, pool_at=(0.35, -0.2)),
}
SHADOW_SIZE = 512  # texels across the shadow map (about 3 mm each over the 1.6 m around the feet)
SHADOW_SPAN_M = 1.6
CONTACT_BLUR_M, CAST_BLUR_M = 0.006, 0.035  # how soft the contact shadow and the cast shadow are
CONTACT_DARK, CAST_DARK = 0.55, 0.45


class RoomScene(Scene):
    """A close-up scene: the body (and an extra mesh, a reaching hand) in a room with a textured floor, coloured
    lights and soft shadows, plus the depth of every pixel so the ground truth can say which points are hidden."""

    def __init__(self, width: int, height: int, faces: np.ndarray, colors: np.ndarray, floor: str, light: str,
                 wall_y: float, extra: tuple[np.ndarray, np.ndarray] | None = None):
        self.width, self.height = width, height
        self.light = LIGHTS[light]
        self.ctx = moderngl.create_standalone_context(backend="egl")
        self.msaa = self.ctx.framebuffer(
            color_attachments=[self.ctx.renderbuffer((width, height), samples=4)],
            depth_attachment=self.ctx.depth_renderbuffer((width, height), samples=4),
        )
        self.out = self.ctx.framebuffer(color_attachments=[self.ctx.renderbuffer((width, height))],
                                        depth_attachment=self.ctx.depth_renderbuffer((width, height)))
        self.shadow_fb = self.ctx.simple_framebuffer((SHADOW_SIZE, SHADOW_SIZE), components=4)
        self.shadow_tex = self.ctx.texture((SHADOW_SIZE, SHADOW_SIZE), 1, dtype="f4")
        self.shadow_tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
        key = np.array(self.light.key_dir) / np.linalg.norm(self.light.key_dir)
        self.key = key
        self.body_prog = self.ctx.program(vertex_shader=BODY_VS, fragment_shader=ROOM_BODY_FS)
        self.room_prog = self.ctx.program(vertex_shader=FLOOR_VS, fragment_shader=ROOM_FS)
        self.shadow_prog = self.ctx.program(vertex_shader=SHADOW_VS, fragment_shader=SHADOW_FS)
        ground = np.array((0.55, 0.45, 0.35) if floor == "planks" else (0.35, 0.38, 0.45))
        for name, value in (("key_dir", key), ("key_color", self.light.key_color), ("sky_color", self.light.sky_color),
                            ("ground_color", ground * np.array(self.light.sky_color) * 1.2)):
            self.body_prog[name].value = tuple(value)
        self.room_prog["pattern"].value = FLOORS[floor]
        self.room_prog["key_color"].value = self.light.key_color
        self.room_prog["sky_color"].value = self.light.sky_color
        self.room_prog["key_elevation"].value = float(key[2])
        self.room_prog["pool"].value = (*self.light.pool_at, self.light.pool_radius)
        self.shadow_prog["key_dir"].value = tuple(key)
        self.meshes = [self._mesh(faces, colors)] + ([self._mesh(*extra)] if extra is not None else [])
        s = 40.0
        floor_quad = [[-s, -s, 0], [s, -s, 0], [s, s, 0], [-s, -s, 0], [s, s, 0], [-s, s, 0]]
        wall = [[-s, wall_y, 0], [s, wall_y, 0], [s, wall_y, s], [-s, wall_y, 0], [s, wall_y, s], [-s, wall_y, s]]
        quads = np.array(floor_quad + wall, "f4")
        self.room_vao = self.ctx.vertex_array(self.room_prog, [(self.ctx.buffer(quads.tobytes()), "3f", "in_pos")])

    def _mesh(self, faces: np.ndarray, colors: np.ndarray) -> dict:
        n = len(colors)
        pos, nrm = self.ctx.buffer(reserve=n * 12), self.ctx.buffer(reserve=n * 12)
        idx = self.ctx.buffer(faces.astype("i4").tobytes())
        vao = self.ctx.vertex_array(self.body_prog,
                                    [(pos, "3f", "in_pos"), (nrm, "3f", "in_normal"),
                                     (self.ctx.buffer(colors.astype("f4").tobytes()), "3f", "in_color")],
                                    index_buffer=idx)
        shadow_vao = self.ctx.vertex_array(self.shadow_prog, [(pos, "3f", "in_pos")], index_buffer=idx)
        return {"faces": faces, "pos": pos, "nrm": nrm, "vao": vao, "shadow": shadow_vao}

    def _shadows(self, centre: np.ndarray) -> None:
        """Draw the shadow map around `centre` (x, y on the floor) and soften it: a tight blur for the contact shadow
        along the soles and under pressed toes, a wide one for the shadow the feet and shins cast."""
        rect = (centre[0] - SHADOW_SPAN_M / 2, centre[1] - SHADOW_SPAN_M / 2, SHADOW_SPAN_M, SHADOW_SPAN_M)
        self.shadow_prog["shadow_rect"].value = rect
        self.room_prog["shadow_rect"].value = rect
        self.shadow_fb.use()
        self.ctx.disable(moderngl.DEPTH_TEST)
        self.ctx.enable(moderngl.BLEND)
        self.ctx.blend_equation = moderngl.MAX
        self.shadow_fb.clear(0.0, 0.0, 0.0, 1.0)
        for mesh in self.meshes:
            mesh["shadow"].render()
        self.ctx.disable(moderngl.BLEND)
        self.ctx.blend_equation = moderngl.FUNC_ADD
        raw = np.frombuffer(self.shadow_fb.read(components=4, dtype="f1"),
                            np.uint8).reshape(SHADOW_SIZE, SHADOW_SIZE, 4)
        texel = SHADOW_SPAN_M / SHADOW_SIZE
        contact = cv2.GaussianBlur(raw[..., 0].astype(np.float32) / 255, (0, 0), CONTACT_BLUR_M / texel)
        cast = cv2.GaussianBlur(raw[..., 1].astype(np.float32) / 255, (0, 0), CAST_BLUR_M / texel)
        shade = np.minimum(CONTACT_DARK * contact + CAST_DARK * cast, 0.85)
        self.shadow_tex.write(shade.astype("f4").tobytes())

    def render_room(self, meshes: list[np.ndarray], camera: Camera,
                    shadow_centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """An RGB frame and the depth of each pixel in metres from the camera's plane (rows top to bottom); `meshes`
        holds the vertices of the body and of the extra mesh, if there is one."""
        for mesh, verts in zip(self.meshes, meshes):
            mesh["pos"].write(verts.astype("f4").tobytes())
            mesh["nrm"].write(vertex_normals(verts, mesh["faces"]).astype("f4").tobytes())
        self._shadows(shadow_centre)
        mvp = camera.view_projection(self.width / self.height).T.astype("f4").tobytes()
        self.msaa.use()
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.ctx.clear(0.0, 0.0, 0.0, 1.0)
        self.shadow_tex.use(0)
        self.room_prog["shadow"].value = 0
        self.room_prog["mvp"].write(mvp)
        self.room_vao.render()
        self.body_prog["mvp"].write(mvp)
        self.body_prog["eye_pos"].value = tuple(camera.eye)
        for mesh in self.meshes:
            mesh["vao"].render()
        self.ctx.copy_framebuffer(self.out, self.msaa)
        img = np.frombuffer(self.out.read(components=3), np.uint8).reshape(self.height, self.width, 3)[::-1].copy()
        window = np.frombuffer(self.out.read(components=1, attachment=-1, dtype="f4"),
                               np.float32).reshape(self.height, self.width)[::-1]
        near, far = NEAR_M, FAR_M
        depth = 2 * far * near / (far + near - (2 * window - 1) * (far - near))
        return img, depth
