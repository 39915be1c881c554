//! Mounts the app; everything else lives in the library.

fn main() {
    fitgrid::install_panic_banner();
    leptos::mount::mount_to_body(fitgrid::App);
}
