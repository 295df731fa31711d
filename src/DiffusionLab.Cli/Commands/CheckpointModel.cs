using DiffusionLab.Modules;
using DiffusionLab.Text;
using DiffusionLab.Training;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// A network restored from a training checkpoint (EMA weights unless raw), with the run's config and, for a
/// text-to-image run, its tokenizer (tokenizer.json of the run folder the checkpoint sits in); see <see cref="TrainedModel"/>.
/// </summary>
public sealed record CheckpointModel(Denoiser Model, TrainConfig Config, long Step, string CheckpointPath, string? RunDirectory, WordTokenizer? Tokenizer)
{
    public static CheckpointModel Load(string runOrCheckpoint, IEnumerable<string> overrides, bool raw)
    {
        var loaded = TrainedModel.Load(runOrCheckpoint, overrides, raw);
        return new CheckpointModel(loaded.Model, loaded.Config, loaded.Step, loaded.CheckpointPath, loaded.RunDirectory, loaded.Tokenizer);
    }
}
