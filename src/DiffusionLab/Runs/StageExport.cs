using DiffusionLab.Core;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// What exporting a stage trained on a text-to-image base (PhotoMaker, motion) needs from its checkpoint, whatever the
/// stage: its weights to ship, the base it recorded, whether it read the base's EMA weights, and its config JSON with
/// BaseCheckpoint set to a given zoo name.
/// </summary>
public sealed record StageExportSource(
    TrainingStage Stage,
    ShippedModelKind Kind,
    string CheckpointPath,
    long Step,
    string BaseCheckpoint,
    long BaseStep,
    bool BaseUseEma,
    Dictionary<string, Tensor> Weights,
    Func<string, string> ConfigJsonWithBase);

/// <summary>
/// Ships a stage trained on a text-to-image base (<see cref="StageExportSource"/>): its own weights in bf16, its config
/// naming the base by zoo name, and provenance naming that base. The base must already be in the same zoo, exported from
/// the checkpoint the stage trained on (same step, and the weights the stage's BaseUseEma reads), so the shipped pair
/// samples as the run did.
/// </summary>
public static class StageExport
{
    public static ShippedModel Export(StageExportSource source, string name, ModelZoo zoo, bool raw, string baseName, ExportOrigin origin)
    {
        var target = zoo.Place(name);
        string stage = ShippedWeights.KindName(source.Kind);
        var baseModel = zoo.Find(baseName);
        var baseHeader = baseModel.Header();
        var baseProvenance = baseModel.Provenance();
        if (baseHeader.Kind != ShippedModelKind.TextToImage)
            throw new ConfigException($"--base {baseModel.ZooName}: a {ShippedWeights.KindName(baseHeader.Kind)} model; a {stage} stage's base is text-to-image");
        if (ModelZoo.IsZooName(source.BaseCheckpoint) && source.BaseCheckpoint != baseModel.ZooName)
            throw new ConfigException($"--base {baseModel.ZooName}: the stage trained on the shipped {source.BaseCheckpoint}; name that one");
        if (baseHeader.Step != source.BaseStep)
            throw new ConfigException($"--base {baseModel.ZooName}: exported from step {baseHeader.Step} ({baseProvenance.SourceCheckpoint}), but the stage trained on step {source.BaseStep} ({source.BaseCheckpoint})");
        if (baseHeader.IsEma != source.BaseUseEma)
            throw new ConfigException($"--base {baseModel.ZooName}: ships {(baseHeader.IsEma ? "EMA" : "raw")} weights, but the stage trained on the base's {(source.BaseUseEma ? "EMA" : "raw")} ones (BaseUseEma={source.BaseUseEma})");
        var shipped = new ShippedWeights(source.Stage, source.Kind, source.Step, !raw, source.ConfigJsonWithBase(baseModel.ZooName), source.Weights,
            baseModel.ZooName, source.BaseStep);
        var provenance = new ModelProvenance(stage, baseProvenance.Preset, origin.Command, origin.GitRevision, origin.Device,
            DateTime.UtcNow, source.CheckpointPath, source.Step, raw ? "raw" : "ema", baseModel.ZooName, ModelExport.JudgedMetrics(source.CheckpointPath, source.Step));
        return ModelExport.Write(target, shipped, tokenizerFile: null, provenance);
    }
}
