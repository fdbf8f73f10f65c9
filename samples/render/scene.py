"""Offscreen rendering of the body on a plain floor with moderngl (EGL, Mesa's software rasteriser on this machine)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import moderngl
import numpy as np

BODY_VS = """
#version 330
uniform mat4 mvp;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_color;
out vec3 v_normal;
out vec3 v_color;
void main() {
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
        near, far = 0.05, 60.0
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
