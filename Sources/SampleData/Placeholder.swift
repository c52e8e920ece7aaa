public enum SampleDataPlaceholder {}
