#!/usr/bin/env bash
# Proves that the Microsoft.ML.Dvn NuGet package works for a consumer, as a fresh machine would see it.
#
#   bash build/check-package.sh
#
# 1. Packs src/Microsoft.ML.Dvn (Release, built against ML.NET 5.0.1, the lowest supported version) into nuget/ and
#    checks what is in the package: the library, its XML docs, README.md, LICENSE, buildTransitive/<id>.targets and
#    buildTransitive/Microsoft.ML.Dvn.NativeFix.cs (the repository's native fix, build/Microsoft.ML.Dvn.NativeFix.*),
#    and nothing else that runs (no publicized ML.NET copies, no Publicizer); dependencies exactly Microsoft.ML,
#    Microsoft.ML.OnnxConverter (ONNX export), Microsoft.Data.Sqlite and Npgsql (sweep studies) and TorchSharp-cpu at the
#    versions of Directory.Packages.props, as minimum versions (so that consumers on ML.NET 6.0.0 get in).
# 2. Writes a throwaway console project in a temporary directory that references the package alone (ML.NET and
#    TorchSharp come transitively), restored from nuget/ (RestoreAdditionalProjectSources) and the machine's
#    configured package sources, into a packages folder of its own, so a stale cached copy of the same version is
#    never used (and checks that the restored package is the one just packed).
# 3. Builds it, trains, exports a level to ONNX (both ways) and saves a model (process 1), loads the saved model in a
#    second process with a new MLContext and no RegisterAssembly call, and requires bit-identical predictions.
# 4. Publishes it (framework-dependent, linux-x64) and requires the published app to load the model and predict
#    bit-identically too: that proves the package's native-library fix in the build and in the publish output. The
#    linux-x64 copies of libLibTorchSharp.so must be patched whatever libstdc++ this machine has, and the builds must
#    show none of the fix's warnings (DVN1001-DVN1003).
# 5. The same consumer on ML.NET 6.0.0 (Microsoft.ML 6.0.0 and Microsoft.ML.OnnxConverter 0.24.0 beside the package,
#    which was built against 5.0.1): every type and member of ML.NET that the package's assembly names resolves in the
#    consumer's 6.0.0 assemblies (build/ReferenceCheck); it builds with the native fix, trains, exports, saves and loads
#    bit-identically, and loads the model that process 1 saved on 5.0.1 with bit-identical predictions.
# 6. Builds a consumer that references the package beside Microsoft.ML.TorchSharp (TorchSharp unified at this
#    package's version), trains and predicts a DVN, exports a level to ONNX with the Microsoft.ML.OnnxConverter the
#    package brings (0.23.1, also on 6.0.0) and creates that package's TextClassification estimator: once on
#    Microsoft.ML 5.0.1 with Microsoft.ML.TorchSharp 0.23.1, once on Microsoft.ML 6.0.0 with 0.24.0.
#
# Exits non-zero on any failure; prints "package check: passed" at the end on success.
# Only the CPU package is checked: a -p:DvnTorchBackend=cuda package (Microsoft.ML.Dvn.Cuda, depending on
# TorchSharp-cuda-linux) cannot be restored on the project's build machines and is untested.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
library="$repo/src/Microsoft.ML.Dvn/Microsoft.ML.Dvn.csproj"
start=$SECONDS
cd "$repo"   # the repository's global.json applies to the pack

work=$(mktemp -d "${TMPDIR:-/tmp}/dvn-package-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - start)); }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '\npackage check: FAILED: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
step "Pack the library"
# The CPU package built against ML.NET 5.0.1 is the one shipped and checked; a DvnTorchBackend or DvnMlNetVersion
# set in the environment must not change that.
shipped=(-p:DvnTorchBackend=cpu -p:DvnMlNetVersion=5.0.1)
id=$(dotnet msbuild "$library" "${shipped[@]}" -getProperty:PackageId)
version=$(dotnet msbuild "$library" "${shipped[@]}" -getProperty:Version)
[[ -n "$id" && -n "$version" ]] || fail "could not read PackageId and Version from $library"
# "<package id> <version>" for every PackageVersion of Directory.Packages.props, for ML.NET 5.0.1 and 6.0.0.
for mlnet in 5.0.1 6.0.0; do
  dotnet msbuild "$library" -p:DvnTorchBackend=cpu -p:DvnMlNetVersion=$mlnet -getItem:PackageVersion \
    | python3 -c 'import json, sys; [print(i["Identity"], i["Version"]) for i in json.load(sys.stdin)["Items"]["PackageVersion"]]' \
    > "$work/versions-$mlnet"
done
packageVersion() { awk -v id="$1" '$1 == id { print $2 }' "$work/versions-${2:-5.0.1}"; }   # <package id> [ML.NET version]
[[ "$(packageVersion Microsoft.ML 6.0.0)" == 6.0.0 ]] || fail "Directory.Packages.props does not give Microsoft.ML 6.0.0 for DvnMlNetVersion=6.0.0"
nupkg="$repo/nuget/$id.$version.nupkg"
rm -f "$nupkg"
dotnet pack "$library" -c Release "${shipped[@]}" -nologo
[[ -f "$nupkg" ]] || fail "dotnet pack did not write $nupkg"
ok "wrote ${nupkg#"$repo"/}"

# ---------------------------------------------------------------------------------------------------------------
step "Write the consumer project"
consumer="$work/Consumer"
mkdir -p "$consumer"
# Stop MSBuild's search for Directory.Build.* and Directory.Packages.props above the temporary directory.
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$work/$f"; done

# Everything else the consumer needs is already in the user's packages folder (the pack above restored the same
# Microsoft.ML and TorchSharp). Offer it as a read-only fallback folder, without any copy of this package, so the
# ~1.5 GB of libtorch is not extracted again; whatever it lacks is downloaded into the consumer's own folder.
userPackages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')
fallback="$work/fallback"
mkdir -p "$fallback"
if [[ -d "$userPackages" ]]; then
  idLower=${id,,}
  shopt -s nullglob
  for dir in "$userPackages"/*/; do
    name=$(basename "$dir")
    [[ "$name" == "$idLower" ]] || ln -s "${dir%/}" "$fallback/$name"
  done
  shopt -u nullglob
fi

cat > "$consumer/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <!-- A packages folder of its own (this property beats NUGET_PACKAGES and nuget.config): the package just
         packed is extracted here, never taken from a cache. -->
    <RestorePackagesPath>$work/packages</RestorePackagesPath>
    <RestoreFallbackFolders>$fallback</RestoreFallbackFolders>
    <!-- The package just packed, beside the machine's configured package sources (no source is named here). -->
    <RestoreAdditionalProjectSources>$repo/nuget</RestoreAdditionalProjectSources>
  </PropertyGroup>
  <ItemGroup>
    <!-- The only reference: Microsoft.ML and TorchSharp-cpu come with the package. -->
    <PackageReference Include="$id" Version="$version" />
  </ItemGroup>
</Project>
EOF

cat > "$consumer/Program.cs" <<'EOF'
// A consumer of the Microsoft.ML.Dvn package, using its public API only.
//   Consumer train <dir>          trains on generated data, saves <dir>/model.zip, writes <dir>/train.txt
//   Consumer load <dir> <file>    loads <dir>/model.zip in a new MLContext, predicts the same rows, writes <file>
// The two files must be identical: same levels, parameter counts, labels and bit-identical scores.
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn;

public sealed class Row
{
    [VectorType(8)]
    public float[] Features { get; set; } = new float[8];
    public string Task { get; set; } = "";
    public string Label { get; set; } = "";
    public double MemoryBudget { get; set; } = double.NaN;
}

public sealed class Prediction
{
    public float[] Score { get; set; } = [];
    public string PredictedLabel { get; set; } = "";
    public uint Level { get; set; }
    public long ParameterCount { get; set; }
}

public static class Program
{
    private static readonly string[] TaskNames = ["compare", "largest", "quadrant"];

    public static int Main(string[] args)
    {
        try
        {
            if (args.Length == 2 && args[0] == "train")
                return Train(args[1]);
            if (args.Length == 3 && args[0] == "load")
                return Load(args[1], args[2]);
            Console.Error.WriteLine("usage: Consumer train <dir> | Consumer load <dir> <output file>");
            return 2;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    // Three tasks on 8 uniform features, each with its own labels (prefixed with the task's name).
    private static List<Row> Rows(int perTask, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>();
        for (int i = 0; i < perTask; i++)
            foreach (var task in TaskNames)
            {
                var x = new float[8];
                for (int k = 0; k < x.Length; k++)
                    x[k] = (float)(random.NextDouble() * 2 - 1);
                string label = task switch
                {
                    "compare" => x[0] > x[1] ? "first" : "second",
                    "largest" => x[2] >= x[3] && x[2] >= x[4] ? "x2" : x[3] >= x[4] ? "x3" : "x4",
                    _ => (x[5] > 0 ? "right" : "left") + (x[6] > 0 ? "-up" : "-down"),
                };
                rows.Add(new Row { Features = x, Task = task, Label = task + ":" + label });
            }
        return rows;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Train(string dir)
    {
        Directory.CreateDirectory(dir);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(1000, seed: 1));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options
            {
                Architecture = DvnArchitecture.Mlp(24, 24),
                NumberOfEpochs = 5,
                LearningRate = 0.01,
                Seed = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);

        var dvn = FindDvn(model);
        Console.WriteLine($"trained: {dvn.NumberOfTasks} tasks, {dvn.NumberOfLevels} levels, {dvn.StoredParameterCount} stored parameters");
        foreach (int task in dvn.Tasks)
            Console.WriteLine($"  task {task}: level parameter counts {string.Join(", ", dvn.GetLevels(task).Select(l => l.ParameterCount))}");

        // One (task, level) to ONNX, by the package's own writer and by ML.NET's converter: the package uses
        // Microsoft.ML.OnnxConverter's internal model builder, so this is where its releases could disagree.
        DvnTransformer small = dvn.ExtractSubnetwork(task: 1, level: 1);
        using (var file = File.Create(Path.Combine(dir, "level.onnx")))
            small.ExportOnnx(file);
        var deployed = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)model).Select(p => p == dvn ? small : p).ToArray());
        using (var file = File.Create(Path.Combine(dir, "pipeline.onnx")))
            ml.Model.ConvertToOnnx(deployed, data, file);
        Console.WriteLine($"exported task 1, level 1 to ONNX: {new FileInfo(Path.Combine(dir, "level.onnx")).Length} bytes alone, " +
            $"{new FileInfo(Path.Combine(dir, "pipeline.onnx")).Length} bytes as a pipeline");

        string path = Path.Combine(dir, "model.zip");
        ml.Model.Save(model, data.Schema, path);
        Console.WriteLine($"saved {path} ({new FileInfo(path).Length} bytes)");
        return Predict(ml, model, Path.Combine(dir, "train.txt"));
    }

    // Deliberately free of Microsoft.ML.Dvn types, so that the JIT does not load that assembly before Model.Load:
    // ML.NET must find the loader through the assembly name stored in the model.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Load(string dir, string output)
    {
        bool loadedBefore = DvnAssemblyLoaded();
        var ml = new MLContext(seed: 7);
        ITransformer model = ml.Model.Load(Path.Combine(dir, "model.zip"), out _);
        Console.WriteLine($"loaded {Path.Combine(dir, "model.zip")} with a new MLContext, no RegisterAssembly " +
            $"(Microsoft.ML.Dvn loaded before Model.Load: {loadedBefore}, after: {DvnAssemblyLoaded()})");
        if (loadedBefore)
        {
            Console.Error.WriteLine("Microsoft.ML.Dvn was loaded before Model.Load: the check does not prove that ML.NET finds it by itself.");
            return 1;
        }
        return Predict(ml, model, output);
    }

    private static bool DvnAssemblyLoaded() =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.ML.Dvn");

    private static DvnTransformer FindDvn(ITransformer model) =>
        model is IEnumerable<ITransformer> chain
            ? chain.OfType<DvnTransformer>().Single()
            : throw new InvalidOperationException($"expected a transformer chain, got {model.GetType()}");

    // Predicts generated rows, a third each without a budget (the top level) and at the largest level-1 and level-2
    // sizes over the tasks; prints accuracy; writes every output with floats in round-trip format.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Predict(MLContext ml, ITransformer model, string output)
    {
        var dvn = FindDvn(model);
        long Budget(int level) => dvn.Tasks.Max(t => dvn.GetLevels(t)[Math.Min(level, dvn.GetLevels(t).Count) - 1].ParameterCount);
        var rows = Rows(200, seed: 2);
        for (int i = 0; i < rows.Count; i++)
            rows[i].MemoryBudget = (i / TaskNames.Length % 3) switch { 0 => double.NaN, 1 => Budget(1), _ => Budget(2) };

        var predictions = ml.Data.CreateEnumerable<Prediction>(model.Transform(ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToList();
        if (predictions.Count != rows.Count)
            throw new InvalidOperationException($"{predictions.Count} predictions for {rows.Count} rows");

        foreach (var task in TaskNames)
        {
            var own = Enumerable.Range(0, rows.Count).Where(i => rows[i].Task == task).ToList();
            double accuracy = own.Count(i => predictions[i].PredictedLabel == rows[i].Label) / (double)own.Count;
            Console.WriteLine($"  {task,-9} accuracy {accuracy:P1} over {own.Count} rows");
        }
        double top = Enumerable.Range(0, rows.Count).Where(i => double.IsNaN(rows[i].MemoryBudget))
            .Average(i => predictions[i].PredictedLabel == rows[i].Label ? 1.0 : 0.0);
        Console.WriteLine($"  accuracy at the top level {top:P1}; levels used: " +
            string.Join(", ", predictions.GroupBy(p => p.Level).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}")));

        using var writer = new StreamWriter(output);
        writer.WriteLine($"stored parameters {dvn.StoredParameterCount}");
        for (int i = 0; i < rows.Count; i++)
        {
            var p = predictions[i];
            writer.WriteLine(string.Join('\t', i, rows[i].Task, p.PredictedLabel, p.Level, p.ParameterCount,
                string.Join(' ', p.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))));
        }
        Console.WriteLine($"wrote {rows.Count} predictions to {output}");
        // Well above chance (1/2, 1/3, 1/4) at the top level, or the package does not really train.
        if (top < 0.6)
        {
            Console.Error.WriteLine($"accuracy at the top level {top:P1} is too low");
            return 1;
        }
        return 0;
    }
}
EOF
ok "Consumer.csproj references $id $version only; packages folder $work/packages"

# ---------------------------------------------------------------------------------------------------------------
step "Restore and build the consumer"
cd "$consumer"
dotnet build -c Release -nologo 2>&1 | tee "$work/build.log" || fail "the consumer does not build"

extracted="$work/packages/${id,,}/$version"
[[ -d "$extracted" ]] || fail "$id $version was not restored into the consumer's own packages folder"
cmp -s "$nupkg" "$extracted/${id,,}.$version.nupkg" || fail "the restored $id $version is not the package just packed"
ok "restored $id $version from ${nupkg#"$repo"/} into the consumer's own packages folder"

# What is in the package (as NuGet extracted it).
files=$(cd "$extracted" && find . -type f ! -name '.nupkg.metadata' ! -name '*.sha512' ! -name '*.nupkg' ! -name '.signature.p7s' | sed 's|^\./||' | sort)
printf '   package files:\n'; printf '     %s\n' $files
expected=$(printf '%s\n' LICENSE README.md "buildTransitive/$id.targets" buildTransitive/Microsoft.ML.Dvn.NativeFix.cs \
  "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" "${id,,}.nuspec" | sort)
[[ "$files" == "$expected" ]] || fail "unexpected package content; expected: $(echo $expected)"
cmp -s "$extracted/buildTransitive/$id.targets" "$repo/build/Microsoft.ML.Dvn.NativeFix.targets" \
  || fail "buildTransitive/$id.targets differs from build/Microsoft.ML.Dvn.NativeFix.targets"
cmp -s "$extracted/buildTransitive/Microsoft.ML.Dvn.NativeFix.cs" "$repo/build/Microsoft.ML.Dvn.NativeFix.cs" \
  || fail "buildTransitive/Microsoft.ML.Dvn.NativeFix.cs differs from build/Microsoft.ML.Dvn.NativeFix.cs"
ok "library, XML docs, README.md, LICENSE, buildTransitive/$id.targets and its task (= build/Microsoft.ML.Dvn.NativeFix.*); no other assemblies"

nuspec="$extracted/${id,,}.nuspec"
grep -q '<license type="expression">MIT</license>' "$nuspec" || fail "the nuspec has no MIT license expression"
grep -q '<readme>README.md</readme>' "$nuspec" || fail "the nuspec names no readme"
dependencies=$(grep -o '<dependency [^>]*>' "$nuspec" | sed -E 's/.*id="([^"]*)".*version="([^"]*)".*/\1 \2/' | sort)
expectedDependencies=$(printf '%s\n' "Microsoft.ML $(packageVersion Microsoft.ML)" "Microsoft.ML.OnnxConverter $(packageVersion Microsoft.ML.OnnxConverter)" \
  "Microsoft.Data.Sqlite $(packageVersion Microsoft.Data.Sqlite)" "Npgsql $(packageVersion Npgsql)" "TorchSharp-cpu $(packageVersion TorchSharp-cpu)" | sort)
printf '   dependencies:\n'; sed 's/^/     /' <<< "$dependencies"
[[ "$dependencies" == "$expectedDependencies" ]] || fail "unexpected dependencies; expected: $(echo $expectedDependencies)"
ok "dependencies are Microsoft.ML, Microsoft.ML.OnnxConverter, Microsoft.Data.Sqlite, Npgsql and TorchSharp-cpu only"

# The native fix: the build and publish output must hold a copy of TorchSharp's libLibTorchSharp.so that differs from
# the original in the one flag byte, on any machine (the copy is for linux-x64, and TorchSharp 0.107 asks
# GLIBCXX_3.4.32 for the marker symbol alone). Running the app below is the real proof on a system that lacks the
# version; this check names the cause when it fails, and holds where libstdc++ has the version too.
torchSharpNative=$( (ls "$work"/packages/torchsharp/*/runtimes/linux-x64/native/libLibTorchSharp.so \
  "$fallback"/torchsharp/*/runtimes/linux-x64/native/libLibTorchSharp.so 2>/dev/null || true) | head -n 1)
[[ -n "$torchSharpNative" ]] || fail "TorchSharp's libLibTorchSharp.so was not found in the restored packages"
checkNativeFix() { # <output directory> <what> <build log>
  local copy changed
  copy=$(find "$1" -name libLibTorchSharp.so | head -n 1)
  [[ -n "$copy" ]] || fail "$2: no libLibTorchSharp.so in $1"
  changed=$(cmp -l "$copy" "$torchSharpNative" | wc -l || true)
  [[ "$changed" == 1 ]] || fail "$2: ${copy#"$work"/} differs from TorchSharp's file in $changed bytes; expected the one flag byte"
  ! grep -E 'warning DVN100[0-9]' "$3" || fail "$2: the native fix warned (above)"
  grep -q "marked GLIBCXX_3.4.32 weak in $copy" "$3" || fail "$2: the build log does not say that $copy was patched"
  ok "$2: the package's build step patched ${copy#"$work"/} (one flag byte), without warnings"
}
output="$consumer/bin/Release/net10.0"
checkNativeFix "$output" "build output" "$work/build.log"

# ---------------------------------------------------------------------------------------------------------------
step "Process 1: train, predict, save"
dotnet "$output/Consumer.dll" train "$work/run" || fail "training in the consumer failed"

step "Process 2: load the saved model (new MLContext, no RegisterAssembly) and predict the same rows"
dotnet "$output/Consumer.dll" load "$work/run" "$work/run/load.txt" || fail "loading the saved model failed"
cmp -s "$work/run/train.txt" "$work/run/load.txt" \
  || { diff "$work/run/train.txt" "$work/run/load.txt" | head -n 10; fail "the loaded model predicts differently"; }
ok "predictions of the loaded model are bit-identical ($(($(wc -l < "$work/run/train.txt") - 1)) rows, scores in round-trip format)"

# ---------------------------------------------------------------------------------------------------------------
step "Publish the consumer (framework-dependent, linux-x64) and run the published app"
dotnet publish -c Release -r linux-x64 --self-contained false -o "$work/publish" -nologo 2>&1 | tee "$work/publish.log" \
  || fail "the consumer does not publish"
checkNativeFix "$work/publish" "publish output" "$work/publish.log"
dotnet "$work/publish/Consumer.dll" load "$work/run" "$work/run/publish.txt" || fail "the published app failed"
cmp -s "$work/run/train.txt" "$work/run/publish.txt" \
  || { diff "$work/run/train.txt" "$work/run/publish.txt" | head -n 10; fail "the published app predicts differently"; }
ok "the published app loads the model and predicts bit-identically"

# ---------------------------------------------------------------------------------------------------------------
# What NuGet resolved for a project: resolved <project directory> <package id> (direct or transitive).
resolved() { (cd "$1" && dotnet list package --include-transitive) | awk -v id="$2" '$1 == ">" && $2 == id { print $NF }'; }

step "On ML.NET 6.0.0: the same consumer beside Microsoft.ML 6.0.0 and Microsoft.ML.OnnxConverter 0.24.0"
# The package was built against ML.NET 5.0.1 and depends on it as a minimum version: a consumer on 6.0.0 runs the
# package's binary with 6.0.0's assemblies, whose internals the package uses for saving, loading and ONNX export.
mlnet6=$(packageVersion Microsoft.ML 6.0.0)
onnxConverter6=$(packageVersion Microsoft.ML.OnnxConverter 6.0.0)
consumer6="$work/Consumer6"
mkdir -p "$consumer6"
sed -e 's|<PackageReference Include="'"$id"'" Version="'"$version"'" />|&\n    <PackageReference Include="Microsoft.ML" Version="'"$mlnet6"'" />\n    <PackageReference Include="Microsoft.ML.OnnxConverter" Version="'"$onnxConverter6"'" />|' \
  -e 's|<!-- The only reference: .*-->|<!-- The package, with the ML.NET release this consumer chose. -->|' \
  "$consumer/Consumer.csproj" > "$consumer6/Consumer.csproj"
grep -q "Microsoft.ML.OnnxConverter\" Version=\"$onnxConverter6\"" "$consumer6/Consumer.csproj" || fail "could not write $consumer6/Consumer.csproj"
cp "$consumer/Program.cs" "$consumer6/"
(cd "$consumer6" && dotnet build -c Release -nologo 2>&1 | tee "$work/build6.log") || fail "the consumer on ML.NET $mlnet6 does not build"
for package in "Microsoft.ML $mlnet6" "Microsoft.ML.OnnxConverter $onnxConverter6" "TorchSharp $(packageVersion TorchSharp)"; do
  read -r name expected <<< "$package"
  actual=$(resolved "$consumer6" "$name")
  [[ "$actual" == "$expected" ]] || fail "the consumer on ML.NET $mlnet6 resolved $name at '$actual'; expected $expected"
done
ok "restored on Microsoft.ML $mlnet6, Microsoft.ML.OnnxConverter $onnxConverter6 and TorchSharp $(packageVersion TorchSharp)"
output6="$consumer6/bin/Release/net10.0"
# The internals the package uses must exist with the same signatures in 6.0.0, also on paths the run below does not take.
dotnet build "$repo/build/ReferenceCheck/ReferenceCheck.csproj" -c Release -nologo -v q -o "$work/reference-check" \
  || fail "build/ReferenceCheck does not build"
dotnet "$work/reference-check/Microsoft.ML.Dvn.ReferenceCheck.dll" "$extracted/lib/net10.0/$id.dll" "$output6" \
  || fail "the package's assembly names ML.NET types or members that ML.NET $mlnet6 does not have (above)"
ok "every ML.NET type and member the package's assembly names resolves in ML.NET $mlnet6's assemblies"
checkNativeFix "$output6" "build output on ML.NET $mlnet6" "$work/build6.log"
dotnet "$output6/Consumer.dll" train "$work/run6" || fail "training in the consumer on ML.NET $mlnet6 failed"
dotnet "$output6/Consumer.dll" load "$work/run6" "$work/run6/load.txt" || fail "loading the saved model on ML.NET $mlnet6 failed"
cmp -s "$work/run6/train.txt" "$work/run6/load.txt" \
  || { diff "$work/run6/train.txt" "$work/run6/load.txt" | head -n 10; fail "the loaded model predicts differently on ML.NET $mlnet6"; }
ok "on ML.NET $mlnet6: trains, exports ONNX, saves, and the model loaded in a new process predicts bit-identically"
dotnet "$output6/Consumer.dll" load "$work/run" "$work/run/load6.txt" || fail "loading the model saved on ML.NET 5.0.1 with $mlnet6 failed"
cmp -s "$work/run/train.txt" "$work/run/load6.txt" \
  || { diff "$work/run/train.txt" "$work/run/load6.txt" | head -n 10; fail "the model saved on ML.NET 5.0.1 predicts differently on $mlnet6"; }
ok "the model saved by process 1 (ML.NET 5.0.1) loads on ML.NET $mlnet6 and predicts bit-identically"

# ---------------------------------------------------------------------------------------------------------------
# Microsoft.ML.TorchSharp 0.23.1 and 0.24.0 were built against TorchSharp 0.102.7; NuGet unifies TorchSharp at this
# package's version (NU1603 warnings about SkiaSharp are expected). Its trainers download pretrained weights when they
# train, so the check creates its estimator without fitting it.
cat > "$work/Together.cs" <<'EOF'
// Microsoft.ML.Dvn and Microsoft.ML.TorchSharp in one process: a DVN trains, predicts and exports a level to ONNX (with
// the Microsoft.ML.OnnxConverter the package brings, as this project names none), and the TorchSharp package's
// TextClassification estimator is created (not fitted: fitting downloads pretrained weights).
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn;
using Microsoft.ML.TorchSharp;

var ml = new MLContext(seed: 1);
var random = new Random(1);
var rows = Enumerable.Range(0, 600).Select(i =>
{
    var x = new float[4];
    for (int k = 0; k < x.Length; k++)
        x[k] = (float)(random.NextDouble() * 2 - 1);
    string task = i % 2 == 0 ? "sign" : "order";
    string label = task == "sign" ? (x[0] > 0 ? "sign:+" : "sign:-") : (x[1] > x[2] ? "order:1" : "order:2");
    return new Row { Features = x, Task = task, Label = label };
}).ToList();
var data = ml.Data.LoadFromEnumerable(rows);
var model = ml.Transforms.Conversion.MapValueToKey("Task")
    .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
    .Append(ml.MulticlassClassification.Trainers.Dvn(numberOfEpochs: 10, architecture: DvnArchitecture.Mlp(16, 16), learningRate: 0.01))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
    .Fit(data);
var predicted = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).ToList();
double accuracy = predicted.Zip(rows, (p, r) => p.PredictedLabel == r.Label ? 1.0 : 0.0).Average();
Console.WriteLine($"DVN accuracy on its training rows: {accuracy:P1}");
var parts = ((IEnumerable<ITransformer>)model).ToArray();
var dvn = parts.OfType<DvnTransformer>().Single();
var small = dvn.ExtractSubnetwork(task: 1, level: 1);
using (var onnx = new MemoryStream())
{
    small.ExportOnnx(onnx);
    long alone = onnx.Length;
    onnx.SetLength(0);
    ml.Model.ConvertToOnnx(new TransformerChain<ITransformer>(parts.Select(p => p == dvn ? small : p).ToArray()), data, onnx);
    Console.WriteLine($"exported task 1, level 1 to ONNX: {alone} bytes alone, {onnx.Length} bytes as a pipeline");
}
var text = ml.MulticlassClassification.Trainers.TextClassification(labelColumnName: "Label", sentence1ColumnName: "Text");
Console.WriteLine($"created {text.GetType().Name} from Microsoft.ML.TorchSharp");
return accuracy > 0.8 ? 0 : 1;

public sealed class Row
{
    [VectorType(4)]
    public float[] Features { get; set; } = new float[4];
    public string Task { get; set; } = "";
    public string Label { get; set; } = "";
}

public sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";
}
EOF
for mlnet in 5.0.1 6.0.0; do
  torchSharpTrainers=$(packageVersion Microsoft.ML.TorchSharp $mlnet)
  [[ -n "$torchSharpTrainers" ]] || fail "Directory.Packages.props names no Microsoft.ML.TorchSharp version for ML.NET $mlnet"
  step "Beside Microsoft.ML $mlnet and Microsoft.ML.TorchSharp $torchSharpTrainers: restore, build, train and predict a DVN, create a TextClassification estimator"
  together="$work/Together-$mlnet"
  mkdir -p "$together"
  cat > "$together/Together.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <RestorePackagesPath>$work/packages</RestorePackagesPath>
    <RestoreFallbackFolders>$fallback</RestoreFallbackFolders>
    <RestoreAdditionalProjectSources>$repo/nuget</RestoreAdditionalProjectSources>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="$id" Version="$version" />
    <PackageReference Include="Microsoft.ML" Version="$mlnet" />
    <PackageReference Include="Microsoft.ML.TorchSharp" Version="$torchSharpTrainers" />
  </ItemGroup>
</Project>
EOF
  cp "$work/Together.cs" "$together/Program.cs"
  (cd "$together" && dotnet build -c Release -nologo 2>&1 | tee "$work/together-$mlnet.log") \
    || fail "a project with $id, Microsoft.ML $mlnet and Microsoft.ML.TorchSharp $torchSharpTrainers does not build"
  actual=$(resolved "$together" Microsoft.ML)
  [[ "$actual" == "$mlnet" ]] || fail "Microsoft.ML resolved at '$actual' beside Microsoft.ML.TorchSharp $torchSharpTrainers; expected $mlnet"
  unified=$(resolved "$together" TorchSharp)
  [[ "$unified" == "$(packageVersion TorchSharp)" ]] \
    || fail "TorchSharp resolved at '$unified' beside Microsoft.ML.TorchSharp $torchSharpTrainers; expected $(packageVersion TorchSharp)"
  dotnet "$together/bin/Release/net10.0/Together.dll" || fail "the DVN beside Microsoft.ML.TorchSharp $torchSharpTrainers failed"
  ok "$id, Microsoft.ML $mlnet and Microsoft.ML.TorchSharp $torchSharpTrainers restore, build and run together (TorchSharp unified at $unified, ONNX export with Microsoft.ML.OnnxConverter $(resolved "$together" Microsoft.ML.OnnxConverter))"
done

printf '\n%s %s checked in %ds\n' "$id" "$version" $((SECONDS - start))
echo "package check: passed"
