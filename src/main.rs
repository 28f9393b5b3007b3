fn main() -> std::process::ExitCode {
    syndic::allocator::return_large_blocks();
    syndic::cli::main()
}
