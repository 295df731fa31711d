using DiffusionLab.Runs;
using DiffusionLab.Core;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Exports a motion stage as a shipped transition model (<see cref="StageExport"/>): its trained weights (semantic encoder,
/// motion predictor, temporal layers, backbone when tuned; EMA over them unless raw) and its config naming its base by
/// zoo name. <c>difflab clip</c> and <c>story --transitions</c> then take it as <c>zoo:NAME</c>.
/// </summary>
public static class MotionExport
{
    public static ShippedModel Export(string runOrCheckpoint, string name, ModelZoo zoo, bool raw, string baseName, ExportOrigin origin)
    {
        string path = ModelExport.SourceCheckpoint(runOrCheckpoint);
        var checkpoint = MotionCheckpoint.Load(path);
        try
        {
            var config = checkpoint.Config(path);
            // The frozen encoder keeps no EMA: its weights ship beside the EMA of the trained parts.
            var weights = new Dictionary<string, TorchSharp.torch.Tensor>(checkpoint.Weights);
            foreach (var (key, value) in ModelExport.Weights(checkpoint.Weights, checkpoint.Ema, raw, path)) weights[key] = value;
            var source = new StageExportSource(TrainingStage.Motion, ShippedModelKind.Transition, path, checkpoint.Step,
                checkpoint.BaseCheckpoint, checkpoint.BaseStep, config.BaseUseEma, weights,
                zooBase => (config with { BaseCheckpoint = zooBase }).ToJson());
            return StageExport.Export(source, name, zoo, raw, baseName, origin);
        }
        finally
        {
            foreach (var t in checkpoint.Weights.Values.Concat((IEnumerable<TorchSharp.torch.Tensor>?)checkpoint.Ema?.Values ?? [])) t.Dispose();
        }
    }
}
