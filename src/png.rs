//! The grid as a PNG image, for pages that take only raster images: the SVG export (scenario
//! line, cells, legend and link) drawn onto a canvas at twice its size, so that it stays sharp
//! on high-density screens and when a document scales it.

use wasm_bindgen::{closure::Closure, JsCast};

/// Draws the SVG document at `svg_url` (a data URL; the SVG has its `width` and `height`) onto a canvas and downloads it as
/// `fitgrid.png`. The image loads asynchronously; nothing happens if the browser cannot draw.
pub(crate) fn download(svg_url: String) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let drawn = img.clone();
    let onload = Closure::once_into_js(move || {
        let (w, h) = (drawn.natural_width() * 2, drawn.natural_height() * 2);
        let canvas = doc
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        let Some(canvas) = canvas else { return };
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        let Some(ctx) = ctx else { return };
        let drew = ctx.draw_image_with_html_image_element_and_dw_and_dh(
            &drawn,
            0.0,
            0.0,
            w.into(),
            h.into(),
        );
        let (Ok(()), Ok(url)) = (drew, canvas.to_data_url()) else {
            return;
        };
        if let Some(a) = doc
            .create_element("a")
            .ok()
            .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
        {
            a.set_attribute("href", &url).ok();
            a.set_attribute("download", "fitgrid.png").ok();
            a.click();
        }
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&svg_url);
}
