using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// What a PhotoMaker run needs beyond the trained weights to continue exactly: the step, both optimizers' states
/// (the adapter group and the encoder group of §2.3's two learning rates), the generator state and the target
/// sampler's position.
/// </summary>
public sealed record PhotoMakerTrainingState(
    long Step,
    long OptimizerSteps,
    double WallSeconds,
    Dictionary<string, Tensor> AdapterOptimizer,
    Dictionary<string, Tensor> EncoderOptimizer,
    Tensor GeneratorState,
    string SamplerState);
