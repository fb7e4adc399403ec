#!/usr/bin/env bash
# LocalStack ready.d hook: creates what deploy/ipsec-mesh.yaml creates in AWS, as far as
# LocalStack models it, plus a few EC2 instances tagged for enrolment. Runs inside the
# LocalStack container, where `awslocal` points the AWS CLI at LocalStack. The agent's SSM
# document comes from the controller image (docker-compose.yml's agent-document service runs
# `ipsec-mesh agent document --out`), so it is the build's own, as the stack's is.
set -euo pipefail

bucket=ipsec-mesh-local
tag_key=${IPSEC_MESH_TAG_KEY:-IPSec}
instance_count=${IPSEC_MESH_INSTANCES:-3}
agent_documents=${IPSEC_MESH_AGENT_DOCUMENTS:-/etc/ipsec-mesh/agent-document}

log() { echo "ipsec-mesh init: $*"; }

make_key() {
  local alias_name=$1 description=$2 key_id
  key_id=$(awslocal kms create-key --description "$description" --query KeyMetadata.KeyId --output text)
  awslocal kms create-alias --alias-name "alias/$alias_name" --target-key-id "$key_id"
  echo "$key_id"
}

log "KMS keys"
bucket_key=$(make_key ipsec-mesh-bucket "ipsec-mesh bucket SSE-KMS")
make_key ipsec-mesh-ca "ipsec-mesh CA key envelope" >/dev/null
make_key ipsec-mesh-host "ipsec-mesh host secrets" >/dev/null

log "bucket $bucket"
awslocal s3api create-bucket --bucket "$bucket" >/dev/null
awslocal s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled
awslocal s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
  "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"$bucket_key\"},\"BucketKeyEnabled\":true}]}"
awslocal s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true

log "queues"
dlq_url=$(awslocal sqs create-queue --queue-name ipsec-mesh-events-dlq --query QueueUrl --output text)
dlq_arn=$(awslocal sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names QueueArn --query Attributes.QueueArn --output text)
queue_url=$(awslocal sqs create-queue --queue-name ipsec-mesh-events --attributes \
  "{\"VisibilityTimeout\":\"60\",\"SqsManagedSseEnabled\":\"true\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"$dlq_arn\\\",\\\"maxReceiveCount\\\":\\\"5\\\"}\"}" \
  --query QueueUrl --output text)
queue_arn=$(awslocal sqs get-queue-attributes --queue-url "$queue_url" --attribute-names QueueArn --query Attributes.QueueArn --output text)

log "EventBridge rules -> $queue_url"
awslocal events put-rule --name ipsec-mesh-instance-state \
  --event-pattern '{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}' >/dev/null
awslocal events put-rule --name ipsec-mesh-tag-change \
  --event-pattern "{\"source\":[\"aws.tag\"],\"detail-type\":[\"Tag Change on Resource\"],\"detail\":{\"service\":[\"ec2\"],\"resource-type\":[\"instance\"],\"changed-tag-keys\":[\"$tag_key\"]}}" >/dev/null
for rule in ipsec-mesh-instance-state ipsec-mesh-tag-change; do
  awslocal events put-targets --rule "$rule" --targets "Id=ipsec-mesh-queue,Arn=$queue_arn" >/dev/null
done

log "the agent document"
found=false
for content in "$agent_documents"/ipsec-mesh-agent-*.json; do
  [ -f "$content" ] || continue
  name=$(basename "$content" .json)
  awslocal ssm create-document --name "$name" --document-type Command --document-format JSON \
    --target-type /AWS::EC2::Instance --content "file://$content" >/dev/null
  log "  $name"
  found=true
done
[ "$found" = true ] || log "no agent document in $agent_documents: the controller will refuse to start"

log "$instance_count instances tagged $tag_key=todo, one untagged"
image_id=$(awslocal ec2 describe-images --owners amazon --query 'Images[0].ImageId' --output text)
awslocal ec2 run-instances --image-id "$image_id" --instance-type t3.micro --count "$instance_count" \
  --tag-specifications "ResourceType=instance,Tags=[{Key=$tag_key,Value=todo},{Key=Name,Value=mesh-host}]" >/dev/null
awslocal ec2 run-instances --image-id "$image_id" --instance-type t3.micro --count 1 \
  --tag-specifications "ResourceType=instance,Tags=[{Key=Name,Value=not-in-the-mesh}]" >/dev/null

log "done"
