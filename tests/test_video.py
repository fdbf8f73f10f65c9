"""Reading video files: timestamps, rotation, resizing, and one clear error for each kind of bad file."""
import pytest

from tests.clips import corrupt_copy, write_clip
from vision.video import VideoError, VideoFile


def test_frames_carry_their_own_timestamps_and_the_file_reports_fps_and_count(tmp_path):
    path = tmp_path / "clip.mp4"
    write_clip(path, frames=45, fps=15)
    with VideoFile(path) as video:
        frames = list(video)
        assert video.info.fps == 15 and video.info.frame_count == 45
    assert len(frames) == 45
    assert frames[0].t == 0 and frames[-1].t == pytest.approx(44 / 15)
    assert frames[0].image.shape == (240, 320, 3)


@pytest.mark.parametrize("rotation, turned", [(90, True), (270, True), (180, False)])
def test_rotation_metadata_is_honoured(tmp_path, rotation, turned):
    path = tmp_path / "rotated.mp4"
    write_clip(path, frames=5, rotation=rotation)
    with VideoFile(path) as video:
        image = next(iter(video)).image
        assert video.info.rotation == rotation
    assert image.shape[:2] == ((320, 240) if turned else (240, 320))
    # The white bar stored on the left edge ends up where the display rotation puts it.
    bright = image.mean(axis=2) > 200
    edges = {"top": bright[:8].mean(), "bottom": bright[-8:].mean(), "left": bright[:, :8].mean(),
             "right": bright[:, -8:].mean()}
    expected = {90: "bottom", 270: "top", 180: "right"}[rotation]
    assert max(edges, key=edges.get) == expected


def test_large_frames_are_scaled_to_the_working_size(tmp_path):
    path = tmp_path / "big.mp4"
    write_clip(path, frames=3, size=(1280, 720))
    with VideoFile(path) as video:
        assert (video.info.width, video.info.height) == (640, 360)
        assert next(iter(video)).image.shape == (360, 640, 3)


def _bad_files(tmp_path):
    good = tmp_path / "good.mp4"
    write_clip(good, frames=150, size=(320, 240), faststart=True)
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "notes.mp4").write_text("this is not a video\n" * 50)
    data = good.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    (tmp_path / "headless.mp4").write_bytes(data[len(data) // 2:])
    corrupt_copy(good, tmp_path / "corrupt.mp4", hits=400)
    return {
        "missing.mp4": "no such file",
        ".": "is a directory",
        "empty.mp4": "empty",
        "notes.mp4": "not a readable video file",
        "cut.mp4": "truncated",
        "headless.mp4": "not a readable video file",
        "corrupt.mp4": "corrupt",
    }


def test_each_kind_of_bad_file_raises_one_clear_error(tmp_path):
    for name, problem in _bad_files(tmp_path).items():
        path = tmp_path / name
        with pytest.raises(VideoError) as caught:
            with VideoFile(path) as video:
                for _ in video:
                    pass
        message = str(caught.value)
        assert str(path) in message and problem in message, (name, message)
        assert "\n" not in message


def test_a_file_with_a_broken_picture_header_is_not_a_readable_video(tmp_path):
    path = tmp_path / "photo.mp4"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(VideoError, match="not a readable video file"):
        VideoFile(path)
