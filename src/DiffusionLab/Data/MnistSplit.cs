namespace DiffusionLab.Data;

/// <summary>The fixed MNIST-10k split: per class, the last 200 digits are test, the rest train.</summary>
public enum MnistSplit
{
    Train,
    Test,
}
