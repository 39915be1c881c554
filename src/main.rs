//! Mounts the app; everything else lives in the library.

fn main() {
    fitgrid::install_panic_banner();
    fitgrid::remove_boot_message();
    leptos::mount::mount_to_body(fitgrid::App);
}
