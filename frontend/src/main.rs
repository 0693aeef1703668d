fn main() {
    leptos::mount::mount_to_body(lockbox_frontend::App);
}
