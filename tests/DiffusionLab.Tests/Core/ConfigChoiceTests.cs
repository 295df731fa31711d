using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;

namespace DiffusionLab.Tests.Core;

public class ConfigChoiceTests
{
    [Fact]
    public void AChoiceHasItsConfigWords()
    {
        Assert.Equal("characterworld", ConfigChoice.Name(DatasetKind.CharacterWorld));
        Assert.Equal("first3", ConfigChoice.Name(GuidedChannels.FirstThree));
        Assert.True(ConfigChoice.TryParse<OptimizerKind>("adamw", out var adamw));
        Assert.Equal(OptimizerKind.AdamW, adamw);
        Assert.False(ConfigChoice.TryParse<OptimizerKind>("AdamW", out _));
        Assert.Equal("\"mnist10k\", \"folder\", \"characterworld\" or \"captions\"", ConfigChoice.Expected<DatasetKind>());
        Assert.Equal("\"ddpm\" or \"ddim\"", ConfigChoice.Expected<SamplerKind>());
    }

    [Fact]
    public void OnlyEnumsWithAWordForEveryMemberAreChoices()
    {
        Assert.True(ConfigChoice.IsChoice(typeof(TrainingPrecision)));
        Assert.False(ConfigChoice.IsChoice(typeof(Architecture)));   // written by member name ("MdtV2") by the other enum converter
        Assert.False(ConfigChoice.IsChoice(typeof(TrainingStage)));
        Assert.False(ConfigChoice.IsChoice(typeof(string)));
        Assert.Equal("\"MdtV2\"", JsonSerializer.Serialize(Architecture.MdtV2, TrainConfigLoader.JsonOptions));
        Assert.Equal("\"bf16\"", JsonSerializer.Serialize(TrainingPrecision.Bf16, TrainConfigLoader.JsonOptions));
    }
}
