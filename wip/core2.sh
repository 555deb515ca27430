cd /work/main
export PYTHONPATH=.
while pgrep -f "train-detector --threads 1 --signatures wbe --activation asy" >/dev/null; do sleep 5; done
python benchmarks/gfnoma_detector_ablation.py --steps 1500 --samples 40000 --jobs 1 --rows 0,17,18 > /tmp/exp/ablation.txt 2>&1
python benchmarks/gfnoma_detector_targets.py --profiles-only --threads 1 > /tmp/exp/profiles.txt 2>&1
for p in asy high low n12; do python benchmarks/gfnoma_joint_detector.py --profile $p > /tmp/exp/joint_$p.txt 2>&1; done
python benchmarks/gfnoma_detector_convergence.py > /tmp/exp/convergence.txt 2>&1
echo DONE > /tmp/exp/core2.done
