//! Boots the standalone app (see [`tenant_settings::start_standalone`]).

fn main() {
    tenant_settings::start_standalone();
}
