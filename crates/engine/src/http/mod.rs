pub mod h3;
