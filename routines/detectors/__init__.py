"""The detectors, one per camera-checked exercise, each fed one frame's foot signals at a time, and the parts they
share: the stance (`stance`), side-to-side cycles (`cycles`), rep timing and height (`rep_measures`), and what they
hand on (`events`)."""
