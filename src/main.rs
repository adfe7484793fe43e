fn main() {
    protoviz::start();
}
