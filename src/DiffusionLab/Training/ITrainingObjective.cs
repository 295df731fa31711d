using DiffusionLab.Diffusion;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// What one training step computes from its next batch, and over which weights: the one thing a stage (a denoiser,
/// PhotoMaker, DreamBooth, encoder pre-training, a judge) brings to the one <see cref="Trainer"/>, which owns the
/// rest (optimizers, EMA, clipping, precision, logging, hooks, checkpoints and exact resume).
/// </summary>
public interface ITrainingObjective : IDisposable
{
    /// <summary>The weights that train, with their rates; the optimizer of each group is built by the trainer.</summary>
    IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>
    /// Work of the next step that runs no libtorch and allocates much (rendering its images), done before the step's
    /// no-collection region when <see cref="TrainerOptions.HoldOffCollection"/> is set; may draw from <paramref name="generator"/>.
    /// </summary>
    void PrepareNext(Generator generator) { }

    /// <summary>
    /// Draws the next batch and everything random of the step (timesteps, noise, dropout, masking, augmentation)
    /// from <paramref name="generator"/> and returns the loss to back-propagate with the batch means to log
    /// (0-dim tensors in the caller's dispose scope; read back only on log steps).
    /// </summary>
    ObjectiveOutput Compute(Generator generator);

    /// <summary>Switches the trained modules between training (dropout, label dropout) and evaluation mode.</summary>
    void SetTraining(bool training);

    /// <summary>Where the objective's data stands (e.g. the batch sampler's epoch and position), as text for a checkpoint.</summary>
    string DataState { get; }

    void RestoreDataState(string state);

    /// <summary>The weights a checkpoint keeps as "model.": every parameter and buffer of a stage that trains a whole model, or only the trained ones of an adapter stage.</summary>
    IReadOnlyDictionary<string, Tensor> CheckpointWeights();

    /// <summary>Loads what <see cref="CheckpointWeights"/> saved; a missing or mis-shaped tensor is an error naming <paramref name="source"/>.</summary>
    void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source);

    /// <summary>
    /// A module of the same shape whose parameters hold the EMA (and which sampling then uses as it is), or null to
    /// keep the average as loose tensors (swapped in with <see cref="Trainer.EmaWeights"/>).
    /// </summary>
    nn.Module? EmaShadow => null;

    /// <summary>The bfloat16 working copy that runs forward and backward while the fp32 master weights train (null: fp32 compute).</summary>
    Bf16Compute? Bf16 => null;
}
