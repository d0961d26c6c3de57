"""Preprocessing before Tesseract: each step measured on ``bench/accuracy`` and applied only
when the page needs it, so clean pages reach Tesseract unchanged but for blank margins.

Callers use :func:`recognize_document`, or its two halves: :func:`prepare_document`
(steps 1-6, no Tesseract) and :func:`read_document` (7-8), which the worker's OCR
processes run on two threads. In order, on the decoded page:

1. **EXIF orientation** (already applied by :func:`~worker.ocr.image_checks.prepare_image`).
2. **Analysis** on a flattened, lightly smoothed, Otsu-binarised copy: background noise,
   skew angle (projection profiles of the ink over -8°..8°), text line height (row
   profile of the ink) and the ink's bounding box (everything darker than
   :data:`MARK_LEVEL`, faint grey text included).
3. **Crop** of blank margins, which cost Tesseract's layout analysis time: the paper
   above the ink and right of it is cut away, :data:`CROP_MARGIN_INCH` from the ink
   (50 px at 300 dpi, at least a text line), when that leaves out at least
   :data:`MIN_CROP_SAVING` of the pixels and the page is not noisy (its "ink" is
   everywhere). Only the top and right margins go: Tesseract's coordinates and layout
   grids start at the bottom-left corner, and moving the left or bottom edge sometimes
   moved its paragraph breaks (see :func:`_crop_box`). The resolution handed to
   Tesseract is unchanged.
4. **Deskew** when the page is turned by 0.5° or more.
5. **Upscaling** when text lines are under :data:`MIN_LINE_PX` pixels high, so they
   become about :data:`TARGET_LINE_PX` (Tesseract reads 7-11 px type badly; 3× larger it
   reads it almost perfectly).
6. **Binarisation** only for noisy pages (phone photos): the background (uneven light)
   is divided out, the page smoothed and thresholded with Otsu, unless Otsu's threshold
   falls inside the paper's own noise (:func:`ink_threshold`). Noisy means background
   noise over :data:`NOISE_THRESHOLD`, or over :data:`SPLIT_NOISE` on a page whose global
   threshold (Tesseract's own) would split the paper (:func:`splits_paper`): a photo of a
   whole sheet, where Tesseract otherwise reads nothing at all. A page that is not noisy
   but unevenly lit (a shadow, a lamp) only gets its background divided out and stays
   grey. Clean pages gain nothing from either, so they are left to Tesseract's own
   thresholding.
7. **Orientation.** A page whose ink forms columns rather than rows (text running up or
   down, :func:`columns_over_rows`) gets Tesseract's orientation detection (OSD) before it
   is read, and is read once, turned upright. Any other page is read as it is; only when
   that reading looks wrong (mean word confidence under :data:`ORIENTATION_GATE`, or no
   words: an upside-down page) does OSD run, and a page turned by 90°, 180° or 270° with
   confidence ≥ :data:`MIN_OSD_CONFIDENCE` is read again upright. The better-scored
   reading is kept, so a wrong OSD answer cannot make a page worse. Upright pages with
   confident text pay nothing for this.
8. **Recognition** by the engine, on the preprocessed pixels.

Word boxes are mapped back to the (EXIF-applied) page turned upright: the upscaling is
divided out, the deskew undone and the crop's offset added, and ``PageWords.rotate``
records the quarter turns from the stored pixels, so overlays and searchable PDFs line up
with the stored image.

Every result carries a profile (:func:`worker.ocr.engine.ocr_profile`) that includes
:data:`worker.ocr.engine.PIPELINE_VERSION`: bump it when this module's output may change.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from ocrjobs.domain.words import PageWords, WordBox
from worker.ocr.engine import OcrEngine, OcrResult, check_language, ocr_profile
from worker.ocr.image_checks import PreparedImage, prepare_image

log = logging.getLogger(__name__)

NOISE_THRESHOLD = 6.0
"""Background noise (grey levels, :attr:`PageAnalysis.noise`) over which a page is
binarised by us rather than left to Tesseract's thresholding."""
SPLIT_NOISE = 2.0
"""Background noise over which a page whose global threshold splits its paper
(:attr:`PageAnalysis.splits_paper`) is binarised by us too. Clean and shadowed rendered
pages measure 0.0-0.5; whole-sheet phone photos of bench/accuracy 5.1-9.5."""
PAPER_SPLIT_SIGMAS = 1.0
"""A global Otsu threshold this close to the paper's median (in the paper's standard
deviations, from its median absolute deviation) splits the paper itself: a sixth or
more of it would become "ink"."""
PAPER_CLEAR_SIGMAS = 4.0
"""Where the ink threshold goes instead when Otsu splits the paper: this far below the
paper's median, so its noise stays paper."""
PAPER_REACH_RAW = 0.5
PAPER_REACH_SMOOTH = 0.25
"""How far below the median (as a share of it) :data:`PAPER_CLEAR_SIGMAS` of the spread may
reach for the histogram to describe paper: the raw page's grain is wider than a smoothed
copy's. Measured: noisy A4 sheets 3-4.4 (smoothed, median ~246) and 13-22 (raw, median
166-194); a page two-thirds photo 21-28 (smoothed), light text on a dark ground or a
halftone 80-110."""
MIN_SKEW_DEG = 0.5
"""Smaller angles are left to Tesseract, which copes with them."""
MAX_SKEW_DEG = 8.0
MIN_LINE_PX = 20.0
"""Text lines (ascender to descender) lower than this are upscaled..."""
TARGET_LINE_PX = 30.0
"""...to about this height."""
MAX_SCALE = 4.0
MAX_UPSCALED_PIXELS = 40_000_000
ORIENTATION_GATE = 70.0
"""Orientation detection runs only when the mean word confidence is below this."""
MIN_OSD_CONFIDENCE = 1.0
"""OSD answers below this are ignored. Low, because the turned reading must also score
better than the first one to be kept (3 lines of 11 px type upside down: 1.8)."""
UNEVEN_PAPER = 0.8
"""Pages whose :func:`paper_evenness` is below this get their background divided out."""
SIDEWAYS_RATIO = 1.5
"""Pages whose :func:`columns_over_rows` exceeds this get orientation detection first."""
ANALYSIS_PIXELS = 2_500_000
"""Larger pages are analysed on a reduced copy."""
QUIET_PAPER = 0.5
"""Background noise on the reduced copy under which a large page is taken as clean
without measuring its noise at full resolution. Averaging hides some noise, the finest
patterns most: a one-pixel checkerboard kept 0.17-0.18 of its noise (6.9 → 1.2), one-pixel
stripes 0.34, Gaussian noise 0.57, the noisy pages of bench/accuracy on A4 0.49-1.5; so
under 0.5 the full-resolution noise is under 3, half of :data:`NOISE_THRESHOLD`. Clean
A4 pages measure 0.00-0.18."""
MARK_LEVEL = 240
"""Anything darker than this on the analysis copy (flattened and smoothed: paper is 255)
is a mark that a crop must keep: well above where Otsu puts ink, so light grey text
and anti-aliased edges fall inside the ink box or a few pixels from it (grey 230 type on
white: 4 px at 300 dpi), and well below the paper's grain on the pages that are cropped
(noise up to :data:`NOISE_THRESHOLD`, less after smoothing)."""
CROP_MARGIN_INCH = 1 / 6
"""White kept around the ink box when a page is cropped (50 px at 300 dpi), at least one
text line's height."""
MIN_CROP_SAVING = 0.1
"""Pages are cropped only when that leaves out at least this share of their pixels."""

_ANALYSIS_SIGMA = 1.0
_EDGE_PX = 3
_MAX_SKEW_POINTS = 60_000
# PIL's rotate turns counter-clockwise; EXIF orientations that are pure turns, clockwise.
_EXIF_CLOCKWISE = {1: 0, 3: 180, 6: 90, 8: 270}

GreyArray = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """What the pipeline measured on a page.

    Attributes:
        noise: Standard deviation of the background, grey levels (0 for a rendered page);
            on the reduced copy for a large page whose paper is quiet there.
        skew_deg: Counter-clockwise turn that makes the text lines horizontal.
        line_px: Median text line height in pixels, ``None`` when no lines were found.
        sideways: The ink is organised in columns rather than rows: text lines run up or
            down the page (turned by 90° or 270°).
        paper: How even the light on the paper is: the 5th over the 95th percentile of
            the paper's brightness (1.0: even; a page in a shadow is under 0.8).
        ink_box: ``(left, top, right, bottom)`` pixels of the analysed page holding every
            mark darker than :data:`MARK_LEVEL`; ``None`` for a blank page.
        splits_paper: A global Otsu threshold of the page as it is (what Tesseract
            applies) falls inside its paper's brightness (see :func:`splits_paper`): a
            photo of a whole sheet, mostly noisy paper, whose text Tesseract then does
            not find at all.
    """

    noise: float
    skew_deg: float
    line_px: float | None
    sideways: bool = False
    paper: float = 1.0
    ink_box: tuple[int, int, int, int] | None = None
    splits_paper: bool = False

    @property
    def noisy(self) -> bool:
        """Binarise it ourselves; its "ink" is everywhere, so never crop it."""
        return self.noise > NOISE_THRESHOLD or (self.splits_paper and self.noise > SPLIT_NOISE)


@dataclass(frozen=True, slots=True)
class Plan:
    """The transformations applied to one page, in order.

    Attributes:
        turn: Counter-clockwise quarter turn applied first (0, 90, 180, 270).
        crop: ``(left, top, right, bottom)`` of the turned page kept (``None``: all of it).
        skew_deg: Counter-clockwise deskew angle (0 for none).
        scale: Upscaling factor (1 for none).
        binarize: Whether Tesseract got our binarised page.
        flatten: Whether the paper's uneven light was divided out (grey page).
    """

    turn: int = 0
    crop: tuple[int, int, int, int] | None = None
    skew_deg: float = 0.0
    scale: float = 1.0
    binarize: bool = False
    flatten: bool = False

    def notes(self) -> tuple[str, ...]:
        """Human-readable notes for the result."""
        out = []
        if self.turn:
            out.append(f"page turned upright ({self.turn}° counter-clockwise)")
        if self.crop:
            left, top, right, bottom = self.crop
            out.append(f"margins cropped to {right - left}x{bottom - top} at ({left}, {top})")
        if self.skew_deg:
            out.append(f"deskewed by {self.skew_deg:+.1f}°")
        if self.scale != 1.0:
            out.append(f"upscaled {self.scale:.2f}×")
        if self.binarize:
            out.append("noisy page binarised")
        if self.flatten:
            out.append("uneven light flattened")
        return tuple(out)


def profile(engine: OcrEngine, language: str) -> str:
    """The OCR profile of :func:`recognize_document` (see :func:`ocr_profile`)."""
    return ocr_profile(engine.name, language, engine.psm)


def recognize_document(engine: OcrEngine, image_bytes: bytes, language: str) -> OcrResult:
    """Check, decode, preprocess and recognise one image: what the worker calls per item.

    The same as :func:`read_document` of :func:`prepare_document`; the worker's OCR
    processes call the two apart, so the next image is prepared while this one is read.

    Args:
        engine: A long-lived engine (tesserocr or pytesseract).
        image_bytes: The stored file's content.
        language: Tesseract language(s), e.g. ``"eng"`` or ``"eng+por"``.

    Returns:
        The text, mean confidence, word boxes (mapped to the upright page, see the module
        docstring) and ``profile`` (:func:`profile`); ``duration_s`` covers everything.

    Raises:
        OcrFailure: As :meth:`OcrEngine.recognize`.
    """
    return read_document(engine, prepare_document(engine, image_bytes, language))


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """An image checked, decoded, analysed and preprocessed for its upright reading.

    Attributes:
        page: The decoded page (EXIF orientation applied).
        language: The checked language.
        analysis: What :func:`analyse` measured on it.
        upright: The page as Tesseract reads it unturned, and how it was made.
        duration_s: Time spent preparing it.
    """

    page: PreparedImage
    language: str
    analysis: PageAnalysis
    upright: tuple[Image.Image, Plan]
    duration_s: float


def prepare_document(engine: OcrEngine, image_bytes: bytes, language: str) -> PreparedDocument:
    """The CPU work before recognition: checks, decoding, analysis, preprocessing.

    Uses only the engine's limits and installed languages, never its Tesseract, so it
    may run on another thread while the engine reads the previous image.

    Raises:
        OcrFailure: A bad image or language (as :meth:`OcrEngine.recognize`).
    """
    started = time.perf_counter()
    language = check_language(language, engine.languages())
    page = prepare_image(
        image_bytes,
        max_bytes=engine.limits.max_bytes,
        max_pixels=engine.limits.max_pixels,
        default_dpi=engine.limits.default_dpi,
    )
    analysis = analyse(page.image.convert("L"))
    upright = _preprocess(page.image, analysis, turn=0, dpi=page.dpi)
    return PreparedDocument(page, language, analysis, upright, time.perf_counter() - started)


def read_document(engine: OcrEngine, doc: PreparedDocument) -> OcrResult:
    """Recognise a prepared image: upright, or turned when orientation detection says so.

    ``duration_s`` of the result covers the preparation too.

    Raises:
        OcrFailure: As :meth:`OcrEngine.recognize`.
    """
    started = time.perf_counter()
    page, language, analysis = doc.page, doc.language, doc.analysis
    result: OcrResult | None = None
    osd_done = False
    if analysis.sideways:
        # Text lines run up or down the page: OSD first, so the page is read only once.
        osd_done = True
        turn = _confident_turn(engine, doc)
        if turn:
            result = _read(engine, page, language, turn=turn)
    if result is None or _suspicious(result):
        upright = _read(engine, page, language, turn=0, prepared=doc.upright)
        if result is None or _score(upright) > _score(result):
            result = upright
    if _suspicious(result) and not osd_done:
        # Low confidence: maybe upside down (which no cheap measure tells apart).
        turn = _confident_turn(engine, doc)
        if turn:
            turned = _read(engine, page, language, turn=turn)
            if _score(turned) > _score(result):
                result = turned
    return replace(
        result,
        duration_s=doc.duration_s + time.perf_counter() - started,
        profile=profile(engine, language),
    )


def _confident_turn(engine: OcrEngine, doc: PreparedDocument) -> int:
    """Tesseract's OSD turn (counter-clockwise degrees) when it is confident, else 0."""
    orientation = engine.detect_orientation(_osd_view(doc))
    log.debug("orientation detection: %s", orientation)
    if orientation is None or orientation.confidence < MIN_OSD_CONFIDENCE:
        return 0
    return orientation.degrees


def _suspicious(result: OcrResult) -> bool:
    return result.mean_confidence is None or result.mean_confidence < ORIENTATION_GATE


def _score(result: OcrResult) -> float:
    """Mean confidence weighted by how much was read (a page of garbage reads little)."""
    if result.mean_confidence is None or result.words is None:
        return -1.0
    return result.mean_confidence * math.log1p(len(result.words.words))


def _osd_view(doc: PreparedDocument) -> PreparedImage:
    """The page as OSD should see it: deskewed, upscaled, binarised as for reading."""
    page = doc.page
    if page.image.mode == "L":
        image, _ = doc.upright  # the same steps on the same pixels
    else:  # grey first, as OSD has always seen it
        image, _ = _preprocess(page.image.convert("L"), doc.analysis, turn=0, dpi=page.dpi)
    return replace(page, image=image)


def _preprocess(
    image: Image.Image, analysis: PageAnalysis, *, turn: int, dpi: int
) -> tuple[Image.Image, Plan]:
    """Apply the steps ``analysis`` calls for to ``image`` (already turned by ``turn``)."""
    plan = Plan(turn=turn)
    crop = _crop_box(analysis, image.size, dpi)
    if crop is not None:
        plan = replace(plan, crop=crop)
        image = image.crop(crop)
    if abs(analysis.skew_deg) >= MIN_SKEW_DEG:
        plan = replace(plan, skew_deg=analysis.skew_deg)
        image = _rotate_small(image, analysis.skew_deg)
        # Skewed lines overlap in the row profile: measure their height again, straight.
        analysis = replace(analysis, line_px=measure_lines(image.convert("L")))
    scale = _upscale_factor(analysis.line_px, image.size)
    if scale != 1.0:
        plan = replace(plan, scale=scale)
        image = _resize(image, scale)
    if analysis.noisy:
        plan = replace(plan, binarize=True)
        image = binarize(image.convert("L"), sigma=_ANALYSIS_SIGMA * scale)
    elif analysis.paper < UNEVEN_PAPER:
        plan = replace(plan, flatten=True)
        image = flatten_background(image.convert("L"))
    log.debug("pipeline %s: %s", plan, analysis)
    return image, plan


def _read(
    engine: OcrEngine,
    page: PreparedImage,
    language: str,
    *,
    turn: int,
    prepared: tuple[Image.Image, Plan] | None = None,
) -> OcrResult:
    """Preprocess ``page`` (turned ``turn``° counter-clockwise first) and recognise it.

    ``prepared``: the unturned page already preprocessed (:attr:`PreparedDocument.upright`).
    """
    image = page.image
    if turn:
        image = image.rotate(turn, expand=True)
    upright_size = image.size
    if prepared is None or turn:
        image, plan = _preprocess(image, analyse(image.convert("L")), turn=turn, dpi=page.dpi)
    else:
        image, plan = prepared
    notes = (*page.notes, *plan.notes())
    result = engine.recognize_page(replace(page, image=image, notes=notes), language)
    words = None
    if result.words is not None:
        words = map_words(
            result.words,
            plan,
            upright_size=upright_size,
            processed_size=image.size,
            exif_orientation=page.exif_orientation,
        )
    return replace(result, words=words, notes=notes)


def analyse(grey: Image.Image) -> PageAnalysis:
    """Measure noise, skew and text line height on a grey page.

    Pages over :data:`ANALYSIS_PIXELS` are measured on a reduced copy (skew and line
    height do not need every pixel) and their noise on a full-resolution central crop
    (noise is a per-pixel property) unless the reduced copy already shows that region's
    paper quiet (:data:`QUIET_PAPER`). That keeps analysis of an A4 page at 300 dpi to
    ~0.09 s, under a tenth of its recognition time.
    """
    factor = _analysis_factor(grey.size)
    small = _reduce(grey, factor)
    paper = _paper(small)
    flat = _divide_out(small, paper)
    smooth, threshold = _smooth(flat, _ANALYSIS_SIGMA)
    ink = smooth < threshold
    flat_a = np.asarray(flat, dtype=np.uint8)
    if factor == 1.0:
        noise = background_noise(flat_a, smooth, ~ink)
    else:
        # Noise is a per-pixel property, measured on the full-resolution centre of the
        # page, unless the same region of the reduced copy shows the paper quiet.
        noise = _reduced_noise(flat_a, smooth, ~ink, _centre(grey.size), grey.size)
        if noise >= QUIET_PAPER:
            noise = _crop_noise(grey)
    sideways = columns_over_rows(ink) > SIDEWAYS_RATIO
    # Sideways text lines are columns: their height is measured across the page.
    line_px = text_line_height(ink.T if sideways else ink)
    return PageAnalysis(
        noise=noise,
        skew_deg=0.0 if sideways else estimate_skew(ink),
        line_px=None if line_px is None else line_px * factor,
        sideways=sideways,
        paper=_evenness(paper),
        ink_box=_ink_box(smooth, max(threshold, MARK_LEVEL), grey.size),
        splits_paper=splits_paper(_histogram(grey)),
    )


def _ink_box(
    smooth: GreyArray, level: int, size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """Box of the pixels of ``smooth`` below ``level``, in pixels of a page of ``size``.

    ``smooth`` may be a reduced copy: each of its pixels stands for a block of the page,
    and the box covers those blocks entirely.
    """
    rows = np.flatnonzero(smooth.min(axis=1) < level)
    if not len(rows):
        return None
    cols = np.flatnonzero(smooth.min(axis=0) < level)
    sx, sy = size[0] / smooth.shape[1], size[1] / smooth.shape[0]
    return (
        max(0, math.floor(cols[0] * sx)),
        max(0, math.floor(rows[0] * sy)),
        min(size[0], math.ceil((cols[-1] + 1) * sx)),
        min(size[1], math.ceil((rows[-1] + 1) * sy)),
    )


def _crop_box(
    analysis: PageAnalysis, size: tuple[int, int], dpi: int
) -> tuple[int, int, int, int] | None:
    """The part of the page worth reading: its ink box and a margin, or ``None``.

    Blank margins cost Tesseract's layout analysis time and hold nothing to read. Noisy
    pages are not cropped: their "ink" is everywhere, so their box means little.

    Only the top and right margins go. Tesseract's coordinates start at the bottom-left
    corner and its layout analysis works on grids anchored there, so those two crops
    leave every coordinate of the text, and how it falls on the grids, unchanged. Moving
    the left or the bottom edge shifts the text against the grids and sometimes moved
    Tesseract's paragraph breaks (the words were the same): cropping all four margins did
    on 2 of 51 generated clean A4 pages, all but the left one on 1 of 6 rotated ones; on
    those pages some left and bottom offsets (periodic, about every two text lines) did,
    no top or right offset did.
    """
    box = analysis.ink_box
    if box is None or analysis.noisy:
        return None
    margin = math.ceil(max(dpi * CROP_MARGIN_INCH, analysis.line_px or 0.0))
    left, top = 0, max(0, box[1] - margin)
    right, bottom = min(size[0], box[2] + margin), size[1]
    kept = (right - left) * (bottom - top)
    if kept > (1.0 - MIN_CROP_SAVING) * size[0] * size[1]:
        return None
    return left, top, right, bottom


def measure_lines(grey: Image.Image) -> float | None:
    """Median text line height in pixels of ``grey`` (see :func:`text_line_height`)."""
    factor = _analysis_factor(grey.size)
    line_px = text_line_height(ink_mask(_reduce(grey, factor)))
    return None if line_px is None else line_px * factor


def _analysis_factor(size: tuple[int, int]) -> float:
    pixels = size[0] * size[1]
    factor = math.sqrt(pixels / ANALYSIS_PIXELS)
    return factor if factor > 1.2 else 1.0


def _reduce(grey: Image.Image, factor: float) -> Image.Image:
    if factor == 1.0:
        return grey
    size = (max(1, round(grey.width / factor)), max(1, round(grey.height / factor)))
    return grey.resize(size, Image.Resampling.BOX)


def _centre(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The central square of a page where a large page's noise is measured."""
    side = math.isqrt(ANALYSIS_PIXELS // 2)
    left, top = max(0, (size[0] - side) // 2), max(0, (size[1] - side) // 2)
    return left, top, min(size[0], left + side), min(size[1], top + side)


def _crop_noise(grey: Image.Image) -> float:
    flat = flatten_background(grey.crop(_centre(grey.size)))
    smooth, threshold = _smooth(flat, _ANALYSIS_SIGMA)
    return background_noise(np.asarray(flat, dtype=np.uint8), smooth, smooth >= threshold)


def paper_evenness(grey: Image.Image) -> float:
    """5th over 95th percentile of the paper's brightness (see :func:`flatten_background`).

    Measured 0.95-0.97 on rendered pages and 0.35-0.56 on the same pages under a shadow
    that Tesseract's global threshold turns into black (CER 0.29-0.43; 0.000 flattened).
    """
    return _evenness(_paper(grey))


def _evenness(paper: Image.Image) -> float:
    background = np.asarray(paper, dtype=np.float32)
    high = float(np.percentile(background, 95))
    return float(np.percentile(background, 5)) / high if high >= 1.0 else 1.0


def _paper(grey: Image.Image) -> Image.Image:
    """The paper's brightness on a 1/16-scale copy: the local maximum (ink removed)."""
    small_size = (max(1, grey.width // 16), max(1, grey.height // 16))
    return grey.resize(small_size, Image.Resampling.BOX).filter(ImageFilter.MaxFilter(3))


def flatten_background(grey: Image.Image) -> Image.Image:
    """Divide out the paper's brightness (uneven light, shadows), so paper becomes white.

    The background is the local maximum on a 1/16-scale copy, blurred and scaled back.
    """
    return _divide_out(grey, _paper(grey))


def _divide_out(grey: Image.Image, paper: Image.Image) -> Image.Image:
    """:func:`flatten_background` with the paper's brightness (:func:`_paper`) known."""
    background = paper.filter(ImageFilter.GaussianBlur(1)).resize(
        grey.size, Image.Resampling.BILINEAR
    )
    # In place: the same arithmetic as clip(a / max(bg, 1) * 255), without temporaries.
    a = np.array(grey, dtype=np.float32)
    bg = np.array(background, dtype=np.float32)
    np.maximum(bg, 1.0, out=bg)
    np.divide(a, bg, out=a)
    a *= 255.0
    np.clip(a, 0, 255, out=a)
    return Image.fromarray(a.astype(np.uint8), "L")


def _smooth(flat: Image.Image, sigma: float) -> tuple[GreyArray, int]:
    """``flat`` blurred by ``sigma`` and its ink threshold (pixels below it are ink)."""
    blurred = flat.filter(ImageFilter.GaussianBlur(sigma))
    return np.asarray(blurred, dtype=np.uint8), ink_threshold(_histogram(blurred))


def _histogram(grey: Image.Image) -> npt.NDArray[np.float64]:
    return np.array(grey.histogram(), dtype=np.float64)  # what bincount would count


def ink_threshold(hist: npt.NDArray[np.float64]) -> int:
    """Otsu's threshold of a 256-bin histogram, unless it splits the paper.

    Otsu's two classes are meant to be ink and paper; on a page that is mostly noisy
    paper (a photo of a whole sheet with a paragraph on it) both can be paper, and the
    threshold then lands in the middle of the paper's noise. The threshold is then put
    :data:`PAPER_CLEAR_SIGMAS` below the paper's median instead.
    """
    otsu = _otsu(hist)
    paper = _paper_spread(hist, PAPER_REACH_SMOOTH)
    if paper is None or not _splits(otsu, *paper):
        return otsu
    median, sigma = paper
    return max(1, math.floor(median - PAPER_CLEAR_SIGMAS * sigma))


def splits_paper(hist: npt.NDArray[np.float64]) -> bool:
    """Whether the global Otsu threshold of a page's histogram falls inside its paper.

    The paper is the page's median brightness (most of a page is paper) and its spread
    the median absolute deviation; the threshold splits it when it is no more than
    :data:`PAPER_SPLIT_SIGMAS` below the median. A page darker than its threshold for
    the most part, or not mostly even paper (see :func:`_paper_spread`), is never taken
    as split.
    """
    paper = _paper_spread(hist, PAPER_REACH_RAW)
    return paper is not None and _splits(_otsu(hist), *paper)


def _splits(threshold: int, median: float, sigma: float) -> bool:
    return median - PAPER_SPLIT_SIGMAS * sigma <= threshold <= median


def _paper_spread(hist: npt.NDArray[np.float64], reach: float) -> tuple[float, float] | None:
    """The paper's brightness and spread: the histogram's median and robust standard
    deviation (1.4826 × MAD, at least 1), or ``None`` when the page is not mostly even
    paper: when :data:`PAPER_CLEAR_SIGMAS` of the spread reach further below the median
    than ``reach`` times the median (light text on a dark ground, a page that is mostly
    a photo or a halftone; see :data:`PAPER_REACH_SMOOTH`). Those keep Otsu's threshold.
    """
    total = hist.sum()
    if total == 0:
        return None
    cumulative = np.cumsum(hist)
    median = int(np.searchsorted(cumulative, total / 2))
    levels = np.arange(256)
    deviations = np.bincount(np.abs(levels - median), weights=hist, minlength=256)
    mad = int(np.searchsorted(np.cumsum(deviations), total / 2))
    sigma = max(1.0, 1.4826 * mad)
    if PAPER_CLEAR_SIGMAS * sigma > reach * median:
        return None
    return float(median), sigma


def otsu_threshold(a: GreyArray) -> int:
    """Otsu's global threshold of an 8-bit image (pixels below it are ink)."""
    return _otsu(np.bincount(a.ravel(), minlength=256).astype(np.float64))


def _otsu(hist: npt.NDArray[np.float64]) -> int:
    """Otsu's threshold from a 256-bin histogram."""
    total = hist.sum()
    if total == 0:
        return 128
    p = hist / total
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * omega - mu) ** 2 / (omega * (1.0 - omega))
    between = np.nan_to_num(between, nan=-1.0, posinf=-1.0)
    return int(np.argmax(between)) + 1


def background_noise(flat: GreyArray, smooth: GreyArray, paper: BoolArray) -> float:
    """Standard deviation of the paper around its smoothed value, in grey levels.

    Pixels near ink are left out (edges are not noise); 0 when there is no paper.
    """
    return _residual_std(flat, smooth, _paper_core(paper))


def _paper_core(paper: BoolArray) -> BoolArray:
    """Paper pixels at least :data:`_EDGE_PX` pixels from any ink (anti-aliased and
    smoothed edges drop out)."""
    core = paper.copy()
    for _ in range(_EDGE_PX):
        grown = core.copy()
        grown[1:, :] &= core[:-1, :]
        grown[:-1, :] &= core[1:, :]
        grown[:, 1:] &= core[:, :-1]
        grown[:, :-1] &= core[:, 1:]
        core = grown
    return core


def _residual_std(flat: GreyArray, smooth: GreyArray, core: BoolArray) -> float:
    if not core.any():
        return 0.0
    residual = flat[core].astype(np.float32) - smooth[core].astype(np.float32)
    return float(residual.std())


def _reduced_noise(
    flat: GreyArray,
    smooth: GreyArray,
    paper: BoolArray,
    box: tuple[int, int, int, int],
    size: tuple[int, int],
) -> float:
    """:func:`background_noise` of the part of a reduced copy that stands for ``box`` of
    a page of ``size``; ink just outside the part still keeps its edges out."""
    sx, sy = paper.shape[1] / size[0], paper.shape[0] / size[1]
    top, bottom = math.floor(box[1] * sy), math.ceil(box[3] * sy)
    left, right = math.floor(box[0] * sx), math.ceil(box[2] * sx)
    # Eroded with a border of _EDGE_PX around the part, then cut to the part.
    top_e, left_e = max(0, top - _EDGE_PX), max(0, left - _EDGE_PX)
    core = _paper_core(paper[top_e : bottom + _EDGE_PX, left_e : right + _EDGE_PX])
    core = core[
        top - top_e : top - top_e + bottom - top, left - left_e : left - left_e + right - left
    ]
    return _residual_std(flat[top:bottom, left:right], smooth[top:bottom, left:right], core)


def ink_mask(grey: Image.Image) -> BoolArray:
    """Ink pixels of a grey page (flattened, smoothed, Otsu)."""
    smooth, threshold = _smooth(flatten_background(grey), _ANALYSIS_SIGMA)
    mask: BoolArray = smooth < threshold
    return mask


def binarize(grey: Image.Image, *, sigma: float = _ANALYSIS_SIGMA) -> Image.Image:
    """Black text on white for a noisy page: flatten, smooth by ``sigma``, Otsu."""
    smooth, threshold = _smooth(flatten_background(grey), sigma)
    out = np.where(smooth < threshold, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "L")


def estimate_skew(ink: BoolArray, *, max_deg: float = MAX_SKEW_DEG) -> float:
    """Counter-clockwise angle (degrees) that makes text lines horizontal; 0 if unsure.

    Projects (a sample of) the ink pixels onto the vertical axis at candidate angles: text
    lines give the sharpest row profile (largest sum of squared counts) when horizontal.
    Coarse 0.5° steps, then 0.1° around the best.
    """
    points = np.flatnonzero(ink)  # far cheaper than nonzero(); the same points, in order
    if len(points) < 200:
        return 0.0
    if len(points) > _MAX_SKEW_POINTS:
        pick = np.random.default_rng(0).choice(len(points), _MAX_SKEW_POINTS, replace=False)
        points = points[pick]
    ys, xs = np.divmod(points, ink.shape[1])
    # Halved up front: halving is exact in floating point, so the rows are the same.
    x = (xs.astype(np.float64) - ink.shape[1] / 2.0) / 2.0
    y = (ys.astype(np.float64) - ink.shape[0] / 2.0) / 2.0

    def sharpness(deg: float) -> float:
        a = math.radians(deg)
        # Row (2-pixel bins) of each point after a counter-clockwise turn by ``a`` (y grows
        # downwards). floor, not round: round-half-to-even merges pairs of rows at 0°.
        turned = y * math.cos(a)
        turned -= x * math.sin(a)
        rows = np.floor(turned, out=turned).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.dot(counts, counts))

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
    scores = [sharpness(float(d)) for d in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.4, best + 0.41, 0.1)
    fine_scores = [sharpness(float(d)) for d in fine]
    angle = float(fine[int(np.argmax(fine_scores))])
    # Unsure (no line structure, e.g. a picture or vertical text): do nothing.
    if max(fine_scores) < 1.05 * sharpness(0.0) and abs(angle) >= MIN_SKEW_DEG:
        return 0.0
    return round(angle, 1)


def columns_over_rows(ink: BoolArray) -> float:
    """How much more structured the ink's column profile is than its row profile.

    Each profile's sum of squared counts (2-pixel bins) is normalised by what evenly spread
    ink would give. Horizontal text has gaps between lines, not between columns: measured
    0.3-0.75 on upright and skewed pages, 2.6-3.5 on pages turned by 90° or 270°.
    0 when there is too little ink to tell.
    """
    row_counts = ink.sum(axis=1)
    n = int(row_counts.sum())
    if n < 200:
        return 0.0

    def structure(profile: npt.NDArray[np.intp], extent: int) -> float:
        counts = profile[0::2].copy()  # ink per 2-pixel bin
        counts[: len(profile) // 2] += profile[1::2]
        return float(np.dot(counts, counts)) / (n * n) * (extent / 2.0)

    rows = structure(row_counts, ink.shape[0])
    return structure(ink.sum(axis=0), ink.shape[1]) / rows if rows else 0.0


def text_line_height(ink: BoolArray) -> float | None:
    """Median height (pixels) of the text lines, from the row profile of the ink.

    Rows holding ink form runs, one per line of text (ascender to descender). The median
    is weighted by each run's ink, so specks and rules count little. ``None`` if no lines.
    """
    rows = ink.sum(axis=1)
    if rows.max(initial=0) == 0:
        return None
    inked = rows > max(1.0, 0.02 * float(rows.max()))
    edges = np.diff(np.concatenate(([0], inked.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    heights = ends - starts
    keep = heights >= 3
    if not keep.any():
        return None
    heights, starts, ends = heights[keep], starts[keep], ends[keep]
    weights = np.array([rows[s:e].sum() for s, e in zip(starts, ends, strict=True)], float)
    order = np.argsort(heights)
    cumulative = np.cumsum(weights[order])
    median = heights[order][int(np.searchsorted(cumulative, cumulative[-1] / 2.0))]
    return float(median)


def _upscale_factor(line_px: float | None, size: tuple[int, int]) -> float:
    if line_px is None or line_px >= MIN_LINE_PX:
        return 1.0
    scale = min(MAX_SCALE, TARGET_LINE_PX / max(line_px, 1.0))
    pixels = size[0] * size[1]
    scale = min(scale, math.sqrt(MAX_UPSCALED_PIXELS / max(pixels, 1)))
    return round(scale, 2) if scale > 1.05 else 1.0


def _resize(image: Image.Image, scale: float) -> Image.Image:
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _rotate_small(image: Image.Image, deg: float) -> Image.Image:
    fill: int | tuple[int, int, int] = 255 if image.mode == "L" else (255, 255, 255)
    return image.rotate(deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def map_words(
    words: PageWords,
    plan: Plan,
    *,
    upright_size: tuple[int, int],
    processed_size: tuple[int, int],
    exif_orientation: int | None,
) -> PageWords:
    """Boxes on the processed image → boxes on the upright page, plus its ``rotate``.

    Args:
        words: Boxes as Tesseract returned them (on the processed image).
        plan: What was done to the page.
        upright_size: Size of the page after the quarter turn, before crop/deskew/upscale.
        processed_size: Size of the image Tesseract read.
        exif_orientation: The EXIF orientation applied when decoding.
    """
    width, height = upright_size
    left, top, right, bottom = plan.crop or (0, 0, width, height)
    scale = plan.scale
    # Size of the deskewed image before upscaling (the frame the deskew rotation maps from).
    dw, dh = processed_size[0] / scale, processed_size[1] / scale
    # Centre of what was deskewed (the crop) on the upright page.
    cx, cy = (left + right) / 2.0, (top + bottom) / 2.0
    a = math.radians(plan.skew_deg)
    cos_a, sin_a = math.cos(a), math.sin(a)
    mapped = []
    for w in words.words:
        # The box's extent on the upright page: (min x, min y, max x, max y).
        if plan.skew_deg:
            xs, ys = [], []
            for px, py in (
                (w.x / scale, w.y / scale),
                ((w.x + w.w) / scale, w.y / scale),
                (w.x / scale, (w.y + w.h) / scale),
                ((w.x + w.w) / scale, (w.y + w.h) / scale),
            ):
                # Inverse of PIL's counter-clockwise rotate(expand=True) about the centres.
                u, v = px - dw / 2.0, py - dh / 2.0
                xs.append(u * cos_a - v * sin_a + cx)
                ys.append(u * sin_a + v * cos_a + cy)
            extent = (min(xs), min(ys), max(xs), max(ys))
        else:
            extent = (
                w.x / scale + left,
                w.y / scale + top,
                (w.x + w.w) / scale + left,
                (w.y + w.h) / scale + top,
            )
        x0 = math.floor(min(max(extent[0], 0.0), width))
        y0 = math.floor(min(max(extent[1], 0.0), height))
        x1 = math.ceil(min(max(extent[2], 0.0), width))
        y1 = math.ceil(min(max(extent[3], 0.0), height))
        mapped.append(WordBox(x0, y0, max(1, x1 - x0), max(1, y1 - y0), w.conf, w.text))
    exif_turn = _EXIF_CLOCKWISE.get(exif_orientation or 1, 0)
    rotate = (exif_turn + (360 - plan.turn) % 360) % 360
    return PageWords(width=width, height=height, rotate=rotate, words=tuple(mapped))
